package org.mammotriage.ingest.scp;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts the SCP's connections, in total and per peer address, and decides what a new one gets. A
 * connection is pending until its A-ASSOCIATE-RQ has arrived; pending connections cost a thread but
 * carry no work, so when a cap is reached the oldest pending one (of that peer, for the per peer
 * cap) is closed to make room. Only when none is pending is the newcomer refused. Twenty
 * connections that open and never speak can therefore not lock out a sender that does.
 */
final class ConnectionGate {
  /** What a new connection gets. */
  enum Decision {
    ADMIT,
    REFUSE
  }

  /** One connection the gate counts. */
  static final class Ticket {
    final InetAddress peer;
    final Runnable close;
    boolean associated;
    boolean released;

    Ticket(InetAddress peer, Runnable close) {
      this.peer = peer;
      this.close = close;
    }
  }

  private final int maxTotal;
  private final int maxPerPeer;
  private final Map<InetAddress, Integer> perPeer = new HashMap<>();
  private final Deque<Ticket> pending = new ArrayDeque<>();
  private int total;

  ConnectionGate(int maxTotal, int maxPerPeer) {
    this.maxTotal = maxTotal;
    this.maxPerPeer = maxPerPeer;
  }

  /**
   * Admits a connection (counting it), closing the oldest pending one if a cap is full; or refuses
   * it (not counted) when every connection at the cap is associated.
   */
  Decision admit(Ticket t) {
    Ticket evict = null;
    synchronized (this) {
      if (perPeer.getOrDefault(t.peer, 0) >= maxPerPeer) {
        evict = oldestPending(t.peer);
      } else if (total >= maxTotal) {
        evict = oldestPending(null);
      }
      boolean full = perPeer.getOrDefault(t.peer, 0) >= maxPerPeer || total >= maxTotal;
      if (full && evict == null) {
        return Decision.REFUSE;
      }
      if (evict != null) {
        release(evict);
      }
      total++;
      perPeer.merge(t.peer, 1, Integer::sum);
      pending.addLast(t);
    }
    if (evict != null) {
      evict.close.run();
    }
    return Decision.ADMIT;
  }

  /** The connection's A-ASSOCIATE-RQ arrived: it is no longer a candidate for eviction. */
  synchronized boolean associated(Ticket t) {
    if (t.released) {
      return false;
    }
    t.associated = true;
    pending.remove(t);
    return true;
  }

  /** The connection is closed (idempotent). */
  synchronized void release(Ticket t) {
    if (t.released) {
      return;
    }
    t.released = true;
    pending.remove(t);
    total--;
    perPeer.computeIfPresent(t.peer, (k, v) -> v <= 1 ? null : v - 1);
  }

  synchronized int open() {
    return total;
  }

  /** Closes every connection still waiting for its A-ASSOCIATE-RQ (at shutdown). */
  void closePending() {
    Ticket[] waiting;
    synchronized (this) {
      waiting = pending.toArray(new Ticket[0]);
    }
    for (Ticket t : waiting) {
      t.close.run();
    }
  }

  private Ticket oldestPending(InetAddress peer) {
    for (Ticket t : pending) {
      if (peer == null || t.peer.equals(peer)) {
        return t;
      }
    }
    return null;
  }
}
