package io.sluice.lake;

/** One column of a lake table. */
public record Column(String name, ColumnType type) {}
