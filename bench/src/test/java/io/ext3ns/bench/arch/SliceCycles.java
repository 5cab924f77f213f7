package io.ext3ns.bench.arch;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The package cycles of a set of classes: classes are grouped into slices (by {@code sliceOf}; null leaves a class
 * out), slices are joined by the class dependencies between them, and every strongly connected component of more
 * than one slice is a cycle. A component is reported once with one example class dependency per slice edge, so a
 * cycle through five packages is one finding, not the many that ArchUnit's pairwise cycle rule prints.
 */
final class SliceCycles {
    private final Map<String, Map<String, Dependency>> edges = new TreeMap<>();

    SliceCycles(JavaClasses classes, Function<JavaClass, String> sliceOf) {
        for (JavaClass c : classes) {
            String from = sliceOf.apply(c);
            if (from == null) {
                continue;
            }
            Map<String, Dependency> out = edges.computeIfAbsent(from, k -> new TreeMap<>());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String to = sliceOf.apply(d.getTargetClass());
                if (to != null && !to.equals(from)) {
                    out.putIfAbsent(to, d);
                }
            }
        }
    }

    /** Every cycle, as the sorted set of its slices. */
    List<Set<String>> cycles() {
        List<Set<String>> found = new ArrayList<>();
        for (Set<String> component : components()) {
            if (component.size() > 1) {
                found.add(component);
            }
        }
        return found;
    }

    /** One example class dependency for each slice edge inside {@code cycle}, for a failure message. */
    String explain(Set<String> cycle) {
        StringBuilder out = new StringBuilder();
        for (String from : cycle) {
            for (Map.Entry<String, Dependency> e : edges.getOrDefault(from, Map.of()).entrySet()) {
                if (cycle.contains(e.getKey())) {
                    out.append("\n    ").append(from).append(" -> ").append(e.getKey()).append(": ")
                            .append(e.getValue().getDescription());
                }
            }
        }
        return out.toString();
    }

    /** Tarjan's strongly connected components, iteratively (a deep package graph must not overflow the stack). */
    private List<Set<String>> components() {
        Set<String> nodes = new TreeSet<>(edges.keySet());
        edges.values().forEach(m -> nodes.addAll(m.keySet()));
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> result = new ArrayList<>();
        int[] counter = {0};
        for (String root : nodes) {
            if (index.containsKey(root)) {
                continue;
            }
            Deque<Map.Entry<String, Iterator<String>>> work = new ArrayDeque<>();
            visit(root, index, low, stack, onStack, counter, work);
            while (!work.isEmpty()) {
                Map.Entry<String, Iterator<String>> top = work.peek();
                String v = top.getKey();
                if (top.getValue().hasNext()) {
                    String w = top.getValue().next();
                    if (!index.containsKey(w)) {
                        visit(w, index, low, stack, onStack, counter, work);
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    String parent = work.peek().getKey();
                    low.put(parent, Math.min(low.get(parent), low.get(v)));
                }
                if (low.get(v).equals(index.get(v))) {
                    Set<String> component = new TreeSet<>();
                    String w;
                    do {
                        w = stack.pop();
                        onStack.remove(w);
                        component.add(w);
                    } while (!w.equals(v));
                    result.add(component);
                }
            }
        }
        return result;
    }

    private void visit(String v, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                       Set<String> onStack, int[] counter,
                       Deque<Map.Entry<String, Iterator<String>>> work) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        work.push(Map.entry(v, edges.getOrDefault(v, Map.of()).keySet().iterator()));
    }
}
