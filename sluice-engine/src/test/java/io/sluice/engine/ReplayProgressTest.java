package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayProgressTest {

  @Test
  void thePositionStopsAtTheLowestOwedOffsetAndCountsEverythingBelow() {
    ReplayProgress p = new ReplayProgress(10, 0);
    p.add(10);
    p.add(10); // two targets
    p.add(11);
    p.add(13);
    assertThat(p.scanned(14)).isZero();
    assertThat(p.checkpoint()).containsExactly(10, 0);
    assertThat(p.done(11)).as("11 is done, but 10 is not").isZero();
    assertThat(p.done(10)).isZero();
    assertThat(p.checkpoint()).containsExactly(10, 0);
    assertThat(p.done(10)).as("10 and 11 leave the window: 3 deliveries").isEqualTo(3);
    assertThat(p.checkpoint()).containsExactly(13, 3);
    assertThat(p.retained()).isEqualTo(1);
    assertThat(p.isSettled()).isFalse();
    assertThat(p.done(13)).isEqualTo(1);
    assertThat(p.checkpoint()).containsExactly(14, 4);
    assertThat(p.isSettled()).isTrue();
    assertThat(p.retained()).isZero();
  }

  @Test
  void anOffsetIsNotPassedWhileItsScanIsUnderWay() {
    ReplayProgress p = new ReplayProgress(0, 5);
    p.add(0);
    assertThat(p.done(0)).as("offset 0 may match another target still").isZero();
    p.add(0);
    p.done(0);
    assertThat(p.scanned(1)).isEqualTo(2);
    assertThat(p.checkpoint()).containsExactly(1, 7);
  }

  @Test
  void aResumedReplayStartsFromItsCheckpoint() {
    ReplayProgress p = new ReplayProgress(42, 17);
    assertThat(p.position()).isEqualTo(42);
    assertThat(p.doneBelow()).isEqualTo(17);
    assertThat(p.isSettled()).isTrue();
  }
}
