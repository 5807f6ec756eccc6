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
}
