package io.ext3ns.fs.cache;

/** A non-owning reference to one incarnation of a unit; see {@link UnitRef#handle()}. */
public final class UnitHandle {
    private final PinnedUnit unit;
    private final int incarnation;

    UnitHandle(PinnedUnit unit, int incarnation) {
        this.unit = unit;
        this.incarnation = incarnation;
    }

    /** A new lease if the unit is still alive in the same incarnation, else null (it went back to the pool). */
    public UnitRef tryRetain() {
        if (!unit.tryRetain(incarnation)) {
            return null;
        }
        return new UnitRef(unit, incarnation, unit.pool.traceForRetain());
    }

    public int unitIndex() {
        return unit.index;
    }
}
