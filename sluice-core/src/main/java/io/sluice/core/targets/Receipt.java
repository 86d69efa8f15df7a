package io.sluice.core.targets;

/**
 * What a sender reports for the items it took: how many of them it kept in the target's own error
 * location instead of delivering them (a lake table's {@code _errors}, for rows the table cannot
 * hold). Such items are settled (not retried, not dead-lettered) but not delivered, and the
 * delivery stats count them apart.
 *
 * @param errors items kept in the error location, from 0 to the number of items sent
 */
public record Receipt(int errors) {

  /** Every item was delivered. */
  public static final Receipt DELIVERED = new Receipt(0);

  public Receipt {
    if (errors < 0) {
      throw new IllegalArgumentException("errors: expected 0 or more, got " + errors);
    }
  }
}
