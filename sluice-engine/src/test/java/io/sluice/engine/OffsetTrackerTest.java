package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

  @Test
  void theCursorStaysAtTheLowestOffsetStillOwedWhateverOrderDeliveriesFinishIn() {
    OffsetTracker t = new OffsetTracker(10);
    assertThat(t.committable()).isEqualTo(10);
    t.add(10, 100);
    t.add(11, 101);
    t.add(12, 102);
    t.scanned(13);
    assertThat(t.committable()).isEqualTo(10);

    t.done(12);
    t.done(11);
    assertThat(t.committable()).isEqualTo(10);
    assertThat(t.oldestIngestionTimeMs()).isEqualTo(100);
    t.done(10);
    assertThat(t.committable()).isEqualTo(13);
    assertThat(t.oldestIngestionTimeMs()).isEqualTo(-1);
  }

  @Test
  void anEventOwedToSeveralTargetsHoldsTheCursorUntilTheLastIsDone() {
    OffsetTracker t = new OffsetTracker(0);
    t.add(0, 1);
    t.add(0, 1);
    t.scanned(1);
    t.done(0);
    assertThat(t.committable()).isZero();
    assertThat(t.inFlightCount()).isEqualTo(1);
    t.done(0);
    assertThat(t.committable()).isEqualTo(1);
  }

  @Test
  void theCursorNeverPassesWhatTheRouterHasNotScannedNorMovesBack() {
    OffsetTracker t = new OffsetTracker(5);
    t.scanned(3); // an older scan position never moves the cursor back
    assertThat(t.committable()).isEqualTo(5);
    t.add(20, 1);
    t.scanned(9);
    assertThat(t.committable()).isEqualTo(9);
    t.done(99); // settling an offset that was not owed changes nothing
    assertThat(t.committable()).isEqualTo(9);
  }
}
