# Shared by the scripts: repository root, build, and the JVM flags Spark needs on Java 17.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JOB_JAR="$REPO_ROOT/jobs/target/segmentation-jobs.jar"
SPARK_CLASSPATH_FILE="$REPO_ROOT/jobs/target/spark-classpath.txt"

# Spark 4 on Java 17 reflects into these JDK packages; without the opens it fails at start-up.
JVM_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  -Dio.netty.tryReflectionSetAccessible=true
)

# Builds the job jar (tests skipped) when it is missing or older than any source or build file.
ensure_built() {
  if [[ ! -f "$JOB_JAR" || ! -f "$SPARK_CLASSPATH_FILE" ]] \
     || [[ -n "$(find "$REPO_ROOT/pom.xml" "$REPO_ROOT/common" "$REPO_ROOT/jobs/pom.xml" "$REPO_ROOT/jobs/src" \
                 -newer "$JOB_JAR" -type f -not -path '*/target/*' -print -quit)" ]]; then
    echo "building the job jar (mvn package, tests skipped) ..." >&2
    (cd "$REPO_ROOT" && mvn -B -q -DskipTests package) >&2
  fi
}

# The benchmark and tool programs (jobs/src/test): builds them when missing, then the job jar if it is stale.
BENCH_CLASSPATH_FILE="$REPO_ROOT/jobs/target/bench-classpath.txt"
ensure_test_classes() {
  if [[ ! -f "$BENCH_CLASSPATH_FILE" || ! -d "$REPO_ROOT/jobs/target/test-classes/org/segmentation/bench" ]]; then
    echo "building the job jar and the benchmark programs ..." >&2
    (cd "$REPO_ROOT" && mvn -B -q -DskipTests install) >&2
  fi
  ensure_built
}

# The classpath of those programs: their classes, the job jar, Spark and the benchmark's own dependencies.
bench_classpath() {
  echo "$REPO_ROOT/jobs/target/test-classes:$JOB_JAR:$(cat "$BENCH_CLASSPATH_FILE")"
}

# ensure_bench_data DIR SIZE END_DATE: the benchmark's sample data (SIZE purchases, one customer per 10, seed 42),
# generated once
ensure_bench_data() {
  local data="$1" size="$2" end_date="$3"
  if [[ ! -f "$data/_SUCCESS_BOTH" ]]; then
    echo "generating $size purchases in $data ..." >&2
    rm -rf "$data"
    run_java org.segmentation.jobs.GenerateSampleDataJob --master "local[2]" --output "$data" \
      --customers $(( size / 10 )) --purchases "$size" --seed 42 --end-date "$end_date" >&2
    touch "$data/_SUCCESS_BOTH"
  fi
}

# write_bench_job_conf OUT DATA: OUT/job.conf, the job's configuration for a benchmark run (conf/local.conf on
# local[2], the lake in OUT/lake, the inputs in DATA), and OUT/job-comet.conf, the same over conf/comet.conf
write_bench_job_conf() {
  local out="$1" data="$2"
  mkdir -p "$out"
  # job.conf: the embedded default; job-comet.conf: the same with Apache DataFusion Comet (conf/comet.conf)
  bench_job_conf "$REPO_ROOT/conf/local.conf" "$out/lake" "$data" > "$out/job.conf"
  bench_job_conf "$REPO_ROOT/conf/comet.conf" "$out/lake-comet" "$data" > "$out/job-comet.conf"
}

# bench_job_conf BASE_CONF LAKE DATA: a configuration over BASE_CONF with the benchmark's lake and inputs
bench_job_conf() {
  cat <<CONF
include "$1"
segments {
  spark.master = "local[2]"
  lake.root = "$2"
  inputs.purchases.path = "$3/purchases"
  inputs.profiles.path = "$3/profiles"
}
CONF
}

# Runs a main class of the job jar on a local JVM with Spark from the Maven classpath (no SPARK_HOME needed).
run_java() {
  local main_class="$1"; shift
  java -Xmx"${DRIVER_MEMORY:-2g}" "${JVM_OPENS[@]}" ${JAVA_OPTS:-} \
    -cp "$JOB_JAR:$(cat "$SPARK_CLASSPATH_FILE")" "$main_class" "$@"
}
