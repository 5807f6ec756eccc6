package org.segmentation.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.date;
import static org.segmentation.TestSpark.money;
import static org.segmentation.TestSpark.row;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.config.LakeSettings;
import org.segmentation.schema.Columns;

/** Writers publish exactly what the catalog declares, in its column order, and nothing that drifts from it. */
class LakeTablesTest {
  static final LocalDate RUN_DATE = LocalDate.of(2026, 6, 30);

  @TempDir
  Path lake;

  /** segment_transitions' declared columns, in another order. */
  static final StructType SHUFFLED = new StructType()
      .add(Columns.FROM_SEGMENT, DataTypes.StringType)
      .add(Columns.TO_SEGMENT, DataTypes.StringType)
      .add(Columns.CUSTOMERS, DataTypes.LongType)
      .add(Columns.REVENUE, DataTypes.createDecimalType(30, 4))
      .add(Columns.RUN_DATE, DataTypes.DateType)
      .add(Columns.PREVIOUS_RUN_DATE, DataTypes.DateType);

  @Test
  void writesTheDeclaredColumnsInTheCatalogsOrder() {
    LakeTables tables = new LakeTables(TestSpark.get(), new LakeSettings(lake.toString()));
    LakeTables.Commit commit = tables.replaceRunDate(TableCatalog.SEGMENT_TRANSITIONS, TestSpark.rows(SHUFFLED,
        row("new", "Champions", 2L, money("170.0000"), date("2026-06-30"), null)), RUN_DATE, "run-1");
    assertEquals(1, commit.rowsWritten());
    Dataset<Row> written = tables.read(TableCatalog.SEGMENT_TRANSITIONS);
    assertEquals(TableCatalog.SEGMENT_TRANSITIONS.columnNames(), List.of(written.columns()));
    assertEquals(List.of(), TableCatalog.SEGMENT_TRANSITIONS.differencesFrom(written.schema()));
  }

  @Test
  void eachRunFindsItsOwnCommitAsDeltasHistoryReportsIt() {
    LakeTables tables = new LakeTables(TestSpark.get(), new LakeSettings(lake.toString()));
    LakeTables.Commit first = tables.replaceRunDate(TableCatalog.SEGMENT_TRANSITIONS, TestSpark.rows(SHUFFLED,
        row("new", "Champions", 2L, money("170.0000"), date("2026-06-30"), null),
        row("new", "Lost", 1L, money("5.0000"), date("2026-06-30"), null),
        row("Lost", "Lost", 4L, money("0.0000"), date("2026-06-30"), null)), RUN_DATE, "run-a");
    LakeTables.Commit second = tables.replaceRunDate(TableCatalog.SEGMENT_TRANSITIONS, TestSpark.rows(SHUFFLED,
        row("new", "Champions", 1L, money("10.0000"), date("2026-07-01"), null),
        row("new", "Lost", 1L, money("1.0000"), date("2026-07-01"), null)), RUN_DATE.plusDays(1), "run-b");
    // a later commit of another run does not hide an earlier run's own: it is found in the log, with its row count
    assertEquals(new LakeTables.Commit(first.version(), 3), tables.committedBy(TableCatalog.SEGMENT_TRANSITIONS,
        "run-a"));
    assertEquals(new LakeTables.Commit(first.version() + 1, 2), second);
    for (Row commit : io.delta.tables.DeltaTable.forPath(TestSpark.get(), tables.path(TableCatalog.SEGMENT_TRANSITIONS))
        .history().where("userMetadata is not null").collectAsList()) { // Delta's own account of the same commits
      LakeTables.Commit ours = tables.committedBy(TableCatalog.SEGMENT_TRANSITIONS,
          commit.getString(commit.fieldIndex("userMetadata")));
      assertEquals(commit.getLong(commit.fieldIndex("version")), ours.version());
      assertEquals(Long.parseLong(commit.<String, String>getJavaMap(commit.fieldIndex("operationMetrics"))
          .get("numOutputRows")), ours.rowsWritten());
    }
    // a run with no commit (Delta skipped an empty one): the latest version, no rows
    assertEquals(new LakeTables.Commit(second.version(), 0), tables.committedBy(TableCatalog.SEGMENT_TRANSITIONS,
        "run-without-a-commit"));
  }

  @Test
  void refusesRowsThatDifferFromTheDeclarationBeforeWritingAnything() {
    LakeTables tables = new LakeTables(TestSpark.get(), new LakeSettings(lake.toString()));
    StructType drifted = new StructType()
        .add(Columns.RUN_DATE, DataTypes.DateType)
        .add(Columns.PREVIOUS_RUN_DATE, DataTypes.DateType)
        .add(Columns.FROM_SEGMENT, DataTypes.StringType)
        .add(Columns.TO_SEGMENT, DataTypes.StringType)
        .add(Columns.CUSTOMERS, DataTypes.IntegerType)          // declared long
        .add("movers", DataTypes.LongType);                     // undeclared; revenue missing
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> tables.replaceRunDate(TableCatalog.SEGMENT_TRANSITIONS, TestSpark.rows(drifted,
            row(date("2026-06-30"), null, "new", "Champions", 2, 2L)), RUN_DATE, "run-1"));
    String message = refused.getMessage();
    assertTrue(message.startsWith("Cannot publish segment_transitions"), message);
    assertTrue(message.contains("missing column revenue"), message);
    assertTrue(message.contains("customers is int, declared bigint"), message);
    assertTrue(message.contains("undeclared column movers"), message);
    assertFalse(tables.exists(TableCatalog.SEGMENT_TRANSITIONS), "nothing was written");
  }

  /** A lake written before revenue was declared: the column is added, and the older night reads it as NULL. */
  @Test
  void addsDeclaredColumnsThatAnOlderTableLacks() {
    LakeTables tables = new LakeTables(TestSpark.get(), new LakeSettings(lake.toString()));
    StructType older = new StructType()
        .add(Columns.RUN_DATE, DataTypes.DateType)
        .add(Columns.PREVIOUS_RUN_DATE, DataTypes.DateType)
        .add(Columns.FROM_SEGMENT, DataTypes.StringType)
        .add(Columns.TO_SEGMENT, DataTypes.StringType)
        .add(Columns.CUSTOMERS, DataTypes.LongType);
    TestSpark.rows(older, row(date("2026-06-29"), null, "new", "Lost", 1L)).write().format("delta")
        .partitionBy(Columns.RUN_DATE).save(tables.path(TableCatalog.SEGMENT_TRANSITIONS));

    tables.replaceRunDate(TableCatalog.SEGMENT_TRANSITIONS, TestSpark.rows(SHUFFLED,
        row("new", "Champions", 2L, money("170.0000"), date("2026-06-30"), null)), RUN_DATE, "run-1");
    Dataset<Row> all = tables.read(TableCatalog.SEGMENT_TRANSITIONS);
    assertEquals(List.of(), TableCatalog.SEGMENT_TRANSITIONS.differencesFrom(all.schema()));
    assertEquals(1, all.where(all.col(Columns.REVENUE).isNull()
        .and(all.col(Columns.RUN_DATE).equalTo(date("2026-06-29")))).count());
    assertEquals(1, all.where(all.col(Columns.REVENUE).isNotNull()).count());
  }

  /**
   * A purchase state written before its rows were per product category (a map of counts per category instead): the
   * retired column stays with its values in the older night's rows, the new column is added, the new night's rows are
   * written without the retired one (NULL), and the older version is told apart by the column it lacks.
   */
  @Test
  void keepsARetiredColumnAndItsOlderRows() {
    LakeTables tables = new LakeTables(TestSpark.get(), new LakeSettings(lake.toString()));
    StructType older = new StructType()
        .add(Columns.RUN_DATE, DataTypes.DateType)
        .add(Columns.CUSTOMER_ID, DataTypes.StringType)
        .add(Columns.ORDER_ID, DataTypes.StringType)
        .add(Columns.PURCHASE_DAY, DataTypes.DateType)
        .add(Columns.AMOUNT, TableCatalog.PURCHASE_STATE.schema().apply(Columns.AMOUNT).dataType())
        .add(Columns.LINES, DataTypes.LongType)
        .add(Columns.RETURN_LINES, DataTypes.LongType)
        .add(Columns.SHARE_LINES, DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
        .add(Columns.CATEGORY_LINES, DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType));
    TestSpark.rows(older, row(date("2026-06-29"), "c1", "o1", date("2026-06-28"), money("30.00"), 3L, 0L,
            java.util.Map.of(), java.util.Map.of("books", 2L, "music", 1L))).write().format("delta")
        .partitionBy(Columns.RUN_DATE).save(tables.path(TableCatalog.PURCHASE_STATE));
    StructType stored = tables.read(TableCatalog.PURCHASE_STATE).schema();
    assertEquals(List.of(Columns.PRODUCT_CATEGORY), TableCatalog.PURCHASE_STATE.missingFrom(stored));

    StructType current = TableCatalog.PURCHASE_STATE.schema();
    tables.replaceRunDate(TableCatalog.PURCHASE_STATE, TestSpark.rows(current,
        row(date("2026-06-30"), "c1", "o1", date("2026-06-28"), "books", money("20.00"), 2L, 0L, java.util.Map.of()),
        row(date("2026-06-30"), "c1", "o1", date("2026-06-28"), "music", money("10.00"), 1L, 0L, java.util.Map.of())),
        RUN_DATE, "run-1");
    Dataset<Row> all = tables.read(TableCatalog.PURCHASE_STATE);
    assertEquals(List.of(), TableCatalog.PURCHASE_STATE.missingFrom(all.schema()));
    assertTrue(List.of(all.columns()).contains(Columns.CATEGORY_LINES), List.of(all.columns()).toString());
    assertEquals(List.of("[2026-06-29,null,2]", "[2026-06-30,books,null]", "[2026-06-30,music,null]"),
        all.selectExpr(Columns.RUN_DATE, Columns.PRODUCT_CATEGORY, Columns.CATEGORY_LINES + "['books']")
            .collectAsList().stream().map(Row::toString).sorted().toList());
  }

  @Test
  void refusesATableWithColumnsTheCatalogDoesNotDeclare() {
    LakeTables tables = new LakeTables(TestSpark.get(), new LakeSettings(lake.toString()));
    TestSpark.rows(SHUFFLED.add("lifetime_value", DataTypes.DoubleType),
            row("new", "Lost", 1L, money("1"), date("2026-06-29"), null, 3.5)).write().format("delta")
        .partitionBy(Columns.RUN_DATE).save(tables.path(TableCatalog.SEGMENT_TRANSITIONS));
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> tables.replaceRunDate(TableCatalog.SEGMENT_TRANSITIONS, TestSpark.rows(SHUFFLED,
            row("new", "Champions", 2L, money("170"), date("2026-06-30"), null)), RUN_DATE, "run-1"));
    assertTrue(refused.getMessage().contains("[lifetime_value]"), refused.getMessage());
  }
}
