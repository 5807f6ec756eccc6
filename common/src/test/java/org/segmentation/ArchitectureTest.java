package org.segmentation;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layers of the library, bottom to top, as CONTRIBUTING.md draws them; no arrow runs back up:
 * <pre>
 *   checks                      the start-up rule check (reads every phase's expressions)
 *   phases                      input, features, rfm, clv, clustering, output, audiences, experiments, propensity,
 *                               uplift, affinity, report
 *   pipeline                    steps, their runner and the run's context
 *   io                          the lake: tables, run_log, model store, lease, Spark sessions
 *   config                      typed settings, read from the configuration
 *   schema                      columns and the SQL compiler
 *   run                         errors, messages, progress
 * </pre>
 * The phases may use one another only without cycles (the order of a night: input before features, features
 * before scoring, ...).
 */
class ArchitectureTest {
  static final JavaClasses LIBRARY = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("org.segmentation");
  static final String[] PHASES = {"org.segmentation.input..", "org.segmentation.features..",
      "org.segmentation.rfm..", "org.segmentation.clv..", "org.segmentation.clustering..",
      "org.segmentation.output..", "org.segmentation.audiences..", "org.segmentation.experiments..",
      "org.segmentation.propensity..", "org.segmentation.uplift..", "org.segmentation.affinity..",
      "org.segmentation.report.."};

  @Test
  void noLayerUsesALayerAboveIt() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("checks").definedBy("org.segmentation.checks..")
        .layer("phases").definedBy(PHASES)
        .layer("pipeline").definedBy("org.segmentation.pipeline..")
        .layer("io").definedBy("org.segmentation.io..")
        .layer("config").definedBy("org.segmentation.config..")
        .layer("schema").definedBy("org.segmentation.schema..")
        .layer("run").definedBy("org.segmentation.run..")
        .whereLayer("checks").mayNotBeAccessedByAnyLayer()
        .whereLayer("phases").mayOnlyBeAccessedByLayers("checks")
        .whereLayer("pipeline").mayOnlyBeAccessedByLayers("checks", "phases")
        .whereLayer("io").mayOnlyBeAccessedByLayers("checks", "phases", "pipeline")
        .whereLayer("config").mayOnlyBeAccessedByLayers("checks", "phases", "pipeline", "io")
        .whereLayer("schema").mayOnlyBeAccessedByLayers("checks", "phases", "pipeline", "io", "config")
        .whereLayer("run").mayOnlyBeAccessedByLayers("checks", "phases", "pipeline", "io", "config", "schema")
        .check(LIBRARY);
  }

  @Test
  void noPackagesDependOnEachOtherInACycle() {
    slices().matching("org.segmentation.(*)..").should().beFreeOfCycles().check(LIBRARY);
  }
}
