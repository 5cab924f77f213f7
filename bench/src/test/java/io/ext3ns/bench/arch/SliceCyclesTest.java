package io.ext3ns.bench.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.ext3ns.bench.arch.fixture.down.Lower;
import io.ext3ns.bench.arch.fixture.side.Side;
import io.ext3ns.bench.arch.fixture.up.Upper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cycle finder ArchitectureTest relies on finds a planted cycle, and only that one. */
class SliceCyclesTest {
    @Test
    void findsThePlantedCycleAndNotTheSliceThatMerelyDependsOnIt() {
        JavaClasses classes = new ClassFileImporter().importClasses(Upper.class, Lower.class, Side.class);
        SliceCycles cycles = new SliceCycles(classes, c -> c.getPackageName().startsWith("io.ext3ns.bench.arch.fixture.")
                ? c.getPackageName().substring(c.getPackageName().lastIndexOf('.') + 1) : null);
        assertEquals(List.of(Set.of("down", "up")), cycles.cycles());
        String why = cycles.explain(Set.of("down", "up"));
        assertTrue(why.contains("down -> up") && why.contains("up -> down") && why.contains(Lower.class.getName()),
                why);
    }
}
