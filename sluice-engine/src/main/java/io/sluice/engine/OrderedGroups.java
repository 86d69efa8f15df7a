package io.sluice.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * FIFO per group key for an {@code ordered} target: at most one delivery of a group is under way
 * (being attempted or waiting for an in-memory retry); later deliveries of that group wait behind
 * it in arrival order, and other groups are not held back. Thread-safe.
 */
final class OrderedGroups {

  /** A key present means its group is busy; the queue holds what waits behind the head. */
  private final Map<String, ArrayDeque<Delivery>> busy = new HashMap<>();

  /**
   * Returns whether {@code d} may go now: {@code true} when its group was idle (it is busy now),
   * {@code false} when {@code d} was queued behind its group's head.
   */
  synchronized boolean admit(Delivery d) {
    ArrayDeque<Delivery> waiting = busy.get(d.groupKey());
    if (waiting != null) {
      waiting.add(d);
      return false;
    }
    busy.put(d.groupKey(), new ArrayDeque<>());
    return true;
  }

  /**
   * The head of {@code group} settled: returns the next delivery of the group, which is now its
   * head and may go, or {@code null} when nothing waits (the group is idle again).
   */
  synchronized Delivery settled(String group) {
    ArrayDeque<Delivery> waiting = busy.get(group);
    Delivery next = waiting == null ? null : waiting.poll();
    if (next == null) {
      busy.remove(group);
    }
    return next;
  }

  /** Removes and returns everything waiting, in group order; every group is idle afterwards. */
  synchronized List<Delivery> drain() {
    List<Delivery> left = new ArrayList<>();
    busy.values().forEach(left::addAll);
    busy.clear();
    return left;
  }
}
