package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation holds together: every relative link and anchor in README.md, CONTRIBUTING.md and docs/ resolves
 * (anchors as GitHub makes them from headings), and every command the README's run table shows exists (its script, or
 * the class it names).
 */
class DocsLinksTest {
  static final Path REPO = CdnowReferenceTest.REPO;
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("(?m)^#+ (.+)$");

  static List<Path> documents() throws IOException {
    List<Path> documents = new ArrayList<>(List.of(REPO.resolve("README.md"), REPO.resolve("CONTRIBUTING.md")));
    try (Stream<Path> docs = Files.list(REPO.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
    }
    return documents;
  }

  /**
   * The anchor GitHub gives a heading: lower case, punctuation dropped but for hyphens and underscores (so
   * {@code ## experiment_results} is {@code #experiment_results}), spaces to hyphens.
   */
  static String anchorOf(String heading) {
    return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\-_ ]", "")
        .replace(' ', '-');
  }

  static Set<String> anchorsOf(Path markdown) throws IOException {
    Set<String> anchors = new HashSet<>();
    Matcher heading = HEADING.matcher(withoutCodeBlocks(Files.readString(markdown)));
    while (heading.find()) {
      anchors.add(anchorOf(heading.group(1)));
    }
    return anchors;
  }

  /** The text without fenced code blocks (a # there is a shell comment, not a heading; a ]( there is code). */
  static String withoutCodeBlocks(String markdown) {
    return markdown.replaceAll("(?s)```.*?```", "");
  }

  @Test
  void everyRelativeLinkAndAnchorResolves() throws IOException {
    List<String> broken = new ArrayList<>();
    int links = 0;
    for (Path document : documents()) {
      Matcher link = LINK.matcher(withoutCodeBlocks(Files.readString(document)));
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("^[a-z]+:.*")) {
          continue; // http(s), mailto: not ours to check here
        }
        links++;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? document : document.getParent().resolve(file).normalize();
        String where = REPO.relativize(document) + ": " + target;
        if (!Files.exists(resolved)) {
          broken.add(where + " (no such file)");
        } else if (hash >= 0 && !anchorsOf(resolved).contains(target.substring(hash + 1))) {
          broken.add(where + " (no such heading)");
        }
      }
    }
    assertTrue(links > 30, "links checked: " + links);
    assertEquals(List.of(), broken);
  }

  @Test
  void everyCommandOfTheReadmesRunTableExists() throws Exception {
    String readme = Files.readString(REPO.resolve("README.md"));
    int start = readme.indexOf("\n## Running it");
    String table = readme.substring(start, readme.indexOf("\n\n", readme.indexOf("| what | command |", start)));
    Matcher script = Pattern.compile("`(?:[A-Z_]+=\\S+ )*(\\./)?(scripts/[\\w/.-]+)").matcher(table);
    int scripts = 0;
    while (script.find()) {
      scripts++;
      assertTrue(Files.isRegularFile(REPO.resolve(script.group(2))), script.group(2));
    }
    Matcher mainClass = Pattern.compile("--class (org\\.segmentation\\.[\\w.]+)").matcher(table);
    int classes = 0;
    while (mainClass.find()) {
      classes++;
      Class.forName(mainClass.group(1)).getMethod("main", String[].class);
    }
    assertTrue(scripts >= 5 && classes >= 3, scripts + " scripts, " + classes + " classes");
  }
}
