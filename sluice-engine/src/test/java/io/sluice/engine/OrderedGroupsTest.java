package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OrderedGroupsTest {

  static Delivery of(String group, long offset) {
    return new Delivery("b", 0, offset, 0, null, group, 0, 0, null, null, -1);
  }

  @Test
  void laterDeliveriesOfABusyGroupWaitInArrivalOrderAndOthersGoAtOnce() {
    OrderedGroups groups = new OrderedGroups();
    assertThat(groups.admit(of("a", 1))).isTrue();
    assertThat(groups.admit(of("a", 2))).isFalse();
    assertThat(groups.admit(of("b", 3))).isTrue();
    assertThat(groups.admit(of("a", 4))).isFalse();

    assertThat(groups.settled("a").offset()).isEqualTo(2);
    assertThat(groups.settled("a").offset()).isEqualTo(4);
    assertThat(groups.settled("a")).isNull();
    // idle again: the next delivery of the group goes at once
    assertThat(groups.admit(of("a", 5))).isTrue();
    assertThat(groups.settled("b")).isNull();
  }

  @Test
  void drainReturnsWhatWaitsAndLeavesEveryGroupIdle() {
    OrderedGroups groups = new OrderedGroups();
    groups.admit(of("a", 1));
    groups.admit(of("a", 2));
    groups.admit(of("a", 3));
    groups.admit(of("b", 4));
    groups.admit(of("b", 5));

    assertThat(groups.drain()).extracting(Delivery::offset).containsExactlyInAnyOrder(2L, 3L, 5L);
    assertThat(groups.admit(of("a", 6))).isTrue();
    assertThat(groups.admit(of("b", 7))).isTrue();
  }

  @Test
  void settlingAGroupThatWasNeverAdmittedIsHarmless() {
    OrderedGroups groups = new OrderedGroups();
    assertThat(groups.settled("never")).isNull();
    assertThat(groups.admit(of("never", 1))).isTrue();
  }
}
