package io.ext3ns.bench.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout rules of the README, checked on the compiled classes of every module (MODULE/target/classes, so the
 * reactor builds them before this module): each module holds only its own root package; a module imports only the
 * modules below it; the production modules hold no benchmark, load generator or test rig; and no package cycle
 * exists beyond the known ones listed here (a new cycle, or a known one that grew, fails).
 */
class ArchitectureTest {
    private static final String BASE = "io.ext3ns.";

    /** A module: its directory, its root package under io.ext3ns, and the root packages it may import. */
    private record Module(String dir, String root, boolean production, Set<String> mayImport) {
    }

    private static final List<Module> MODULES = List.of(
            new Module("sda-driver", "sda", true, Set.of()),
            new Module("fs-core", "fs", true, Set.of("sda")),
            new Module("mkfs-tool", "tools", true, Set.of("sda", "fs")),
            new Module("streaming-adapter", "stream", true, Set.of("sda", "fs")),
            // the mount hosts the streaming server (-o rtsp=,http=) and adds its FUSE counters to the server's /metrics
            new Module("fuse-mount", "fuse", true, Set.of("sda", "fs", "stream")),
            // the manual pages: every command's definition
            new Module("dist", "dist", true, Set.of("sda", "fs", "tools", "fuse", "stream")),
            // benchmarks and the load generator: above everything, and nothing imports them
            new Module("bench", "bench", false, Set.of("sda", "fs", "tools", "fuse", "stream", "dist")));

    /**
     * Package cycles that exist and are not fixed yet, each as the exact set of packages (under io.ext3ns) it
     * spans. A cycle that is not listed fails the test, and so does a listed one that changed or went away (update
     * the list).
     */
    private static final Map<Set<String>, String> KNOWN_CYCLES = Map.of();

    private static final Map<Module, JavaClasses> BY_MODULE = new LinkedHashMap<>();
    private static JavaClasses all;

    @BeforeAll
    static void importEveryModule() {
        Path root = Path.of(System.getProperty("ext3ns.root", "..")).toAbsolutePath().normalize();
        Map<Module, Path> dirs = new LinkedHashMap<>();
        for (Module m : MODULES) {
            Path dir = root.resolve(m.dir()).resolve("target/classes");
            assertTrue(Files.isDirectory(dir.resolve("io/ext3ns/" + m.root())), dir + " is not built");
            dirs.put(m, dir);
        }
        all = new ClassFileImporter().importPaths(dirs.values());
        dirs.forEach((m, dir) -> BY_MODULE.put(m, all.that(new DescribedPredicate<JavaClass>("in " + dir) {
            @Override
            public boolean test(JavaClass c) {
                return c.getSource().map(s -> s.getUri().toString().startsWith(dir.toUri().toString()))
                        .orElse(false);
            }
        })));
    }

    @Test
    void everyModuleHoldsOnlyItsOwnRootPackage() {
        BY_MODULE.forEach((m, classes) -> {
            assertTrue(classes.size() > 0, m.dir() + ": no class imported");
            classes().should().resideInAPackage(BASE + m.root() + "..").as(m.dir() + " holds only " + BASE
                    + m.root() + "..").check(classes);
        });
    }

    @Test
    void noModuleImportsAModuleAboveIt() {
        BY_MODULE.forEach((m, classes) -> {
            String[] forbidden = MODULES.stream().map(Module::root)
                    .filter(r -> !r.equals(m.root()) && !m.mayImport().contains(r))
                    .map(r -> BASE + r + "..").toArray(String[]::new);
            if (forbidden.length > 0) {
                noClasses().should().dependOnClassesThat().resideInAnyPackage(forbidden)
                        .as(m.dir() + " imports only " + m.mayImport()).check(classes);
            }
        });
    }

    @Test
    void productionModulesHoldNoBenchmarkLoadGeneratorOrTestRig() {
        BY_MODULE.forEach((m, classes) -> {
            if (m.production()) {
                noClasses().should().resideInAnyPackage("..bench..", "..shooter..", "..testing..")
                        .as(m.dir() + " ships no bench, shooter or testing package").check(classes);
            }
        });
    }

    @Test
    void noPackageCycleBeyondTheKnownOnes() {
        SliceCycles cycles = new SliceCycles(all, ArchitectureTest::packageUnderBase);
        StringBuilder problems = new StringBuilder();
        List<Set<String>> found = cycles.cycles();
        for (Set<String> cycle : found) {
            if (!KNOWN_CYCLES.containsKey(cycle)) {
                problems.append("\nnew package cycle ").append(cycle).append(cycles.explain(cycle));
            }
        }
        for (Set<String> known : KNOWN_CYCLES.keySet()) {
            if (!found.contains(known)) {
                problems.append("\nknown cycle ").append(known).append(" is gone or changed: update KNOWN_CYCLES");
            }
        }
        if (problems.length() > 0) {
            fail(problems.toString());
        }
    }

    /** The slice of a class is its package, under io.ext3ns (fs.engine, fuse, ...); null outside our code. */
    private static String packageUnderBase(JavaClass c) {
        String p = c.getPackageName();
        return p.startsWith(BASE) ? p.substring(BASE.length()) : null;
    }
}
