package org.segmentation.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.segmentation.run.LakeBusyException;
import org.segmentation.run.LeaseLostException;

/**
 * The lease that lets one run at a time write a lake. Every run that writes takes it before it reads anything, renews
 * it while it lives, and releases it when it ends; a second run meanwhile gets {@link LakeBusyException} and changes
 * nothing. A run killed while holding it leaves it behind: once it has not been renewed for its expiry time, the next
 * run takes it over (and repairs what the killed run left).
 *
 * <p><b>Layout.</b> {@code <lake root>/_lease/} holds numbered records ({@code 00000000000000000007.json}), each
 * created with create-if-absent: taking the lease is creating the record after the latest one, so of two runs that
 * race for it exactly one creates it and the other sees its record. A record says who took it (run id, host, process,
 * when, and the expiry the holder promised); its holder renews it by rewriting {@code <number>.renewed} (the time of
 * its latest renewal), and releases it with a record of its own ({@code "state": "released"}). A holder that finds a
 * record after its own has lost the lease: it stops before writing anything more ({@link Held#check}).
 *
 * <p><b>Stores.</b> Create-if-absent is atomic on a local disk (an exclusive create), on HDFS, and on stores whose
 * Hadoop connector honours {@code overwrite = false} with a conditional write (ABFS, GCS, and S3A where conditional
 * writes are on). The expiry compares the holder's renewal time with the reader's clock: drivers' clocks must agree to
 * well within the expiry time.
 */
public final class LakeLease {
  public static final String FOLDER = "_lease";
  static final String HELD = "held";
  static final String RELEASED = "released";
  /** Records kept behind the latest (for an operator's look at who ran lately); older ones are deleted. */
  private static final int KEPT_RECORDS = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One record of the lease.
   *
   * @param renewedAt the holder's latest renewal (the time it was taken until the first renewal)
   */
  public record Holder(long sequence, String state, String runId, String host, long pid, Instant takenAt,
      Duration expiresAfter, Instant renewedAt) {
    /** Whether the record takes the lease (rather than releasing it). */
    public boolean held() {
      return HELD.equals(state);
    }

    /** When the lease expires unless its holder renews it. */
    public Instant expiresAt() {
      return renewedAt.plus(expiresAfter);
    }

    @Override
    public String toString() {
      return "run " + runId + " on " + host + " (pid " + pid + "), since " + takenAt;
    }
  }

  private final FileSystem fs;
  private final Path folder;
  private final String lakeRoot;
  private final Clock clock;

  public LakeLease(Configuration hadoop, String lakeRoot, Clock clock) {
    this.folder = new Path(lakeRoot, FOLDER);
    this.lakeRoot = lakeRoot;
    this.clock = clock;
    try {
      // an instance of its own: on a local disk, no checksum files beside the lease's (a renewal cut short by a kill
      // would leave a checksum that no longer matches, and every later read would fail), without changing the
      // instance Spark and Delta share
      this.fs = FileSystem.newInstance(folder.toUri(), hadoop);
      fs.setWriteChecksum(false);
      fs.setVerifyChecksum(false);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot reach the lake at " + lakeRoot + ": " + e.getMessage(), e);
    }
  }

  /** The lease of the configured lake, through the session's Hadoop configuration (the cluster's credentials). */
  public static LakeLease of(org.apache.spark.sql.SparkSession spark, org.segmentation.config.LakeSettings lake) {
    return new LakeLease(spark.sessionState().newHadoopConf(), lake.root(), Clock.systemUTC());
  }

  /** Takes the lease with the configured expiry and renewal. */
  public Held take(String runId, org.segmentation.config.RunSettings run) {
    return take(runId, run.leaseExpiresAfter(), run.leaseRenewEvery());
  }

  /**
   * Takes the lease for {@code runId}, or throws {@link LakeBusyException} naming the run that holds it. The returned
   * lease renews itself every {@code renewEvery} until closed.
   */
  public Held take(String runId, Duration expiresAfter, Duration renewEvery) {
    for (int attempt = 0; attempt < 3; attempt++) {
      Optional<Holder> latest = latest();
      Instant now = clock.instant();
      if (latest.isPresent() && latest.get().held() && now.isBefore(latest.get().expiresAt())) {
        throw busy(latest.get(), now);
      }
      long sequence = latest.map(h -> h.sequence() + 1).orElse(0L);
      Optional<Holder> expired = latest.filter(Holder::held);
      Holder mine = new Holder(sequence, HELD, runId, hostName(), ProcessHandle.current().pid(), now, expiresAfter,
          now);
      if (createIfAbsent(recordPath(sequence), json(mine))) {
        deleteRecordsBefore(sequence - KEPT_RECORDS);
        return new Held(mine, expired, renewEvery);
      }
      // another run created that record first: read again, it is likely theirs
    }
    Holder holder = latest().orElseThrow(() -> new IllegalStateException("Cannot take the lease at " + folder));
    throw busy(holder, clock.instant());
  }

  /** The latest record, if any run ever took the lease. */
  public Optional<Holder> latest() {
    try {
      if (!fs.exists(folder)) {
        return Optional.empty();
      }
      long latest = -1;
      for (FileStatus file : fs.listStatus(folder)) {
        String name = file.getPath().getName();
        if (name.matches("\\d{20}\\.json")) {
          latest = Math.max(latest, Long.parseLong(name.substring(0, 20)));
        }
      }
      return latest < 0 ? Optional.empty() : Optional.of(read(latest));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the lake lease at " + folder + ": " + e.getMessage(), e);
    }
  }

  private LakeBusyException busy(Holder holder, Instant now) {
    long renewedAgo = Duration.between(holder.renewedAt(), now).toSeconds();
    long expiresIn = Math.max(0, Duration.between(now, holder.expiresAt()).toSeconds());
    return new LakeBusyException("The lake at " + lakeRoot + " is in use by " + holder + ", renewed " + renewedAgo
        + " s ago: this run changed nothing; retry once that run has ended (a run that was killed leaves its lease, "
        + "which another run takes over " + expiresIn + " s from now unless it is renewed; see " + folder + ")");
  }

  /** The lease this run holds. Close it to release it. */
  public final class Held implements AutoCloseable {
    private final Holder record;
    private final Optional<Holder> tookOverFrom;
    private final ScheduledExecutorService renewer;
    private volatile Instant renewedAt;
    private volatile String lost;

    private Held(Holder record, Optional<Holder> tookOverFrom, Duration renewEvery) {
      this.record = record;
      this.tookOverFrom = tookOverFrom;
      this.renewedAt = record.takenAt();
      this.renewer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "lake-lease-renewer");
        thread.setDaemon(true);
        return thread;
      });
      renewer.scheduleWithFixedDelay(this::renew, renewEvery.toMillis(), renewEvery.toMillis(),
          TimeUnit.MILLISECONDS);
    }

    /** The expired lease of a run that stopped renewing it (killed), which this one took over. */
    public Optional<Holder> tookOverFrom() {
      return tookOverFrom;
    }

    public long sequence() {
      return record.sequence();
    }

    /** Throws {@link LeaseLostException} unless this run still holds the lease: call it before every write. */
    public void check() {
      if (lost == null) {
        Instant now = clock.instant();
        if (!now.isBefore(renewedAt.plus(record.expiresAfter()))) {
          lost = "it was last renewed " + Duration.between(renewedAt, now).toSeconds() + " s ago, past its expiry of "
              + record.expiresAfter().toSeconds() + " s";
        } else {
          successor().ifPresent(next -> lost = "it was taken over by " + next);
        }
      }
      if (lost != null) {
        throw new LeaseLostException("This run no longer holds the lease of the lake at " + lakeRoot + ": " + lost
            + ". It stops before writing more; its writes are put back. Retry the run.");
      }
    }

    private Optional<Holder> successor() {
      try {
        return fs.exists(recordPath(record.sequence() + 1)) ? Optional.of(read(record.sequence() + 1))
            : Optional.empty();
      } catch (IOException e) {
        throw new IllegalStateException("Cannot read the lake lease at " + folder + ": " + e.getMessage(), e);
      }
    }

    private void renew() {
      try {
        if (lost != null) {
          return;
        }
        Optional<Holder> next = successor();
        if (next.isPresent()) {
          lost = "it was taken over by " + next.get();
          return;
        }
        Instant now = clock.instant();
        try (OutputStream out = fs.create(renewedPath(record.sequence()), true)) {
          out.write(Long.toString(now.toEpochMilli()).getBytes(StandardCharsets.UTF_8));
        }
        renewedAt = now;
      } catch (Exception e) { // a renewal missed: check() tells once the expiry has passed
        org.slf4j.LoggerFactory.getLogger(LakeLease.class).warn("Cannot renew the lake lease: {}", e.toString());
      }
    }

    /**
     * Stops renewing and releases the lease (unless it was lost: then it is another run's). Never throws: a lease that
     * cannot be released expires.
     */
    @Override
    public void close() {
      renewer.shutdownNow();
      try {
        if (lost == null && successor().isEmpty()) {
          Instant now = clock.instant();
          createIfAbsent(recordPath(record.sequence() + 1), json(new Holder(record.sequence() + 1, RELEASED,
              record.runId(), record.host(), record.pid(), now, record.expiresAfter(), now)));
        }
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(LakeLease.class).warn("Cannot release the lake lease (it expires {} s after "
            + "its last renewal): {}", record.expiresAfter().toSeconds(), e.toString());
      }
    }
  }

  private Holder read(long sequence) throws IOException {
    com.fasterxml.jackson.databind.JsonNode node = null;
    // a store without an atomic create shows a record while its writer still writes it: read again a little later
    for (int attempt = 1; node == null; attempt++) {
      try (var in = fs.open(recordPath(sequence))) {
        node = JSON.readTree(in.readAllBytes());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        node = null;
      }
      if (node == null || !node.has("taken_at")) {
        if (attempt == 10) {
          throw new IOException("The lease record " + recordPath(sequence) + " cannot be read (not a lease record?)");
        }
        node = null;
        sleep(200);
      }
    }
    Instant takenAt = Instant.parse(node.get("taken_at").asText());
    Instant renewedAt = takenAt;
    Path renewed = renewedPath(sequence);
    if (fs.exists(renewed)) {
      try (var in = fs.open(renewed)) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        renewedAt = Instant.ofEpochMilli(Long.parseLong(text));
      } catch (java.io.FileNotFoundException e) {
        renewedAt = takenAt;
      } catch (IOException | NumberFormatException e) {
        // empty or cut short: its holder is rewriting it now (alive), or was killed while rewriting it (and the file
        // stays so for good); the time the file was last written tells which
        try {
          renewedAt = Instant.ofEpochMilli(fs.getFileStatus(renewed).getModificationTime());
        } catch (java.io.FileNotFoundException gone) {
          renewedAt = takenAt;
        }
      }
    }
    return new Holder(sequence, node.get("state").asText(), node.get("run_id").asText(), node.get("host").asText(),
        node.get("pid").asLong(), takenAt, Duration.ofMillis(node.get("expires_after_ms").asLong()), renewedAt);
  }

  private static byte[] json(Holder holder) {
    ObjectNode node = JSON.createObjectNode()
        .put("state", holder.state())
        .put("run_id", holder.runId())
        .put("host", holder.host())
        .put("pid", holder.pid())
        .put("taken_at", holder.takenAt().toString())
        .put("expires_after_ms", holder.expiresAfter().toMillis());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Creates the file with {@code bytes} unless it exists; false when it did. On a local disk an exclusive create
   * (Hadoop's local file system checks, then creates: two processes could both pass the check); elsewhere the
   * connector's create without overwrite.
   */
  private boolean createIfAbsent(Path path, byte[] bytes) {
    try {
      fs.mkdirs(folder);
      if (fs instanceof LocalFileSystem local) {
        // written aside, then linked into place: link(2) fails when the name exists, and readers never see the
        // record half written
        java.nio.file.Path file = local.pathToFile(path).toPath();
        java.nio.file.Path aside = file.resolveSibling("." + file.getFileName() + "." + java.util.UUID.randomUUID());
        Files.write(aside, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
          Files.createLink(file, aside);
          return true;
        } catch (FileAlreadyExistsException e) {
          return false;
        } finally {
          Files.delete(aside);
        }
      }
      if (fs.exists(path)) {
        return false;
      }
      try (OutputStream out = fs.create(path, false)) {
        out.write(bytes);
      }
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write the lake lease at " + path + ": " + e.getMessage(), e);
    }
  }

  private void deleteRecordsBefore(long sequence) {
    try {
      for (FileStatus file : fs.listStatus(folder)) {
        String name = file.getPath().getName();
        if (name.matches("\\d{20}\\.(json|renewed)") && Long.parseLong(name.substring(0, 20)) < sequence) {
          fs.delete(file.getPath(), false);
        }
      }
    } catch (IOException e) { // old records only cost a listing
      org.slf4j.LoggerFactory.getLogger(LakeLease.class).warn("Cannot delete old lease records: {}", e.toString());
    }
  }

  private Path recordPath(long sequence) {
    return new Path(folder, String.format("%020d.json", sequence));
  }

  private Path renewedPath(long sequence) {
    return new Path(folder, String.format("%020d.renewed", sequence));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the lake lease", e);
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
