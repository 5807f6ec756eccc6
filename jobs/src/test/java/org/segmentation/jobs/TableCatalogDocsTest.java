package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;

/** The documentation of the output tables is the catalog's: the generated data dictionary and the README's list. */
class TableCatalogDocsTest {
  static final Path REPO = CdnowReferenceTest.REPO;

  @Test
  void theDataDictionaryIsGeneratedFromTheCatalog() throws IOException {
    assertEquals(TableCatalog.markdown(), Files.readString(REPO.resolve("docs/tables.md")),
        "docs/tables.md is stale: regenerate it with NightlySegmentsJob --describe-tables > docs/tables.md");
  }

  @Test
  void theReadmeListsEveryTableWithItsGrain() throws IOException {
    String readme = Files.readString(REPO.resolve("README.md"));
    int outputs = readme.indexOf("\n## Outputs");
    String section = readme.substring(outputs, readme.indexOf("\n## ", outputs + 1));
    List<String> listed = new ArrayList<>();
    Matcher row = Pattern.compile("(?m)^\\| `(\\w+)` \\| ([^|]+?) \\|").matcher(section);
    while (row.find()) {
      listed.add(row.group(1) + ": " + row.group(2));
    }
    assertEquals(TableCatalog.ALL.stream().map(t -> t.name() + ": " + t.rowIsOne()).toList(), listed);
  }

  @Test
  void theUsageNamesEveryTable() {
    for (TableSpec table : TableCatalog.ALL) {
      assertEquals(true, JobArgs.USAGE.contains(table.name()), table.name());
    }
  }
}
