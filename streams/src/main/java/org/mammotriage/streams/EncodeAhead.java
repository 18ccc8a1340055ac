package org.mammotriage.streams;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.serialization.Deserializer;
import org.mammotriage.contract.Slot;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.images.ImageStore;
import org.mammotriage.scoring.EncodeResult;
import org.mammotriage.scoring.ExamImage;
import org.mammotriage.scoring.ExamScoringService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes the images of {@code mammo.images.v1} ahead of the stream thread, on a small pool, as
 * soon as the main consumer's poll returns them ({@link EncodeAheadInterceptor}): decoding,
 * resizing and encoding an image is a pure function of its record and the model, so it can run
 * before the stream thread gets to the record, on the other cores. The stream thread still
 * processes records one at a time in offset order and makes every state change itself ({@link
 * ExamAssembler}); when it reaches an image it {@link #take}s the encoding made for that partition
 * and offset (waiting for it, or computing it itself when no worker has started it). Exactly-once
 * is unchanged: nothing here reads or writes the store or produces records, and a record processed
 * again after an abort is simply encoded again.
 *
 * <p>What is not used is dropped: an image the stream thread does not encode (a duplicate, an
 * earlier retake, an extra view) is evicted when the stream thread takes a later offset of the same
 * partition; at most {@link #MAX_PENDING} images wait, later ones are left to the stream thread,
 * and when that many wait, those offered more than {@link #STALE_NANOS} ago (a partition that went
 * elsewhere in a rebalance) are given up. Anything that goes wrong ahead (a record that does not
 * deserialise, an encoder failure, a closed scorer) leaves nothing: the stream thread encodes the
 * image as before, with its failure handling.
 */
public final class EncodeAhead implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EncodeAhead.class);

  /**
   * The main consumer's config key under which the app hands this object to its {@link
   * EncodeAheadInterceptor} (with the {@code main.consumer.} prefix in the streams properties).
   */
  public static final String INSTANCE_CONFIG = "mammotriage.encode.ahead.instance";

  /**
   * Images waiting or encoded and not yet taken, at most: about what Kafka Streams buffers of the
   * images topic by default (input.buffer.max.bytes 512 MiB of 0.4 MB working images), so a backlog
   * is encoded ahead all the way while an idle stream never holds more than its buffer.
   */
  static final int MAX_PENDING = 1024;

  /**
   * An image offered this long ago and not taken is given up when the bound is reached: its
   * partition went to another instance or thread in a rebalance (the stream thread takes an image
   * within seconds of its poll, even behind a full buffer).
   */
  static final long STALE_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(2);

  /**
   * Images a stream thread may hold unencoded per worker by default ({@link #lookahead()}): enough
   * that the pool still has work while the stream thread polls (a poll of working images takes the
   * time of one or two encodings) and through a batch's last images.
   */
  static final int LOOKAHEAD_PER_THREAD = 8;

  /** Encodes nothing: {@link #take} always answers null (the stream thread encodes). */
  public static final EncodeAhead NONE = new EncodeAhead();

  private final ExamScoringService scorer;
  private final SlotRules rules;
  private final ImageStore images;
  private final ThreadLocal<Deserializer<MammogramImage>> deserializers;
  private final ExecutorService pool;
  private final int maxPending;
  private final int threads;
  private final int lookahead;
  private final java.util.function.LongSupplier clock;
  // partition of mammo.images.v1 -> the last offset a poll returned (the end of what the stream
  // thread holds of it)
  private final Map<Integer, Long> polledTo = new java.util.concurrent.ConcurrentHashMap<>();
  // stream thread name -> its main consumer (StreamsApp's client supplier registers them)
  private final Map<String, org.apache.kafka.clients.consumer.Consumer<?, ?>> consumers =
      new java.util.concurrent.ConcurrentHashMap<>();
  // partition -> offset -> the encoding (null inside: nothing to use) of mammo.images.v1
  private final Map<Integer, TreeMap<Long, Pending>> pending = new HashMap<>();
  private int size;
  private volatile boolean closed;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong waitedNanos = new AtomicLong();
  private final AtomicLong selfRun = new AtomicLong();
  private final AtomicLong workersIdle = new AtomicLong();
  private final AtomicLong waitsBeforePoll = new AtomicLong();
  // on a worker: when it finished its last task (0 before its first)
  private final ThreadLocal<long[]> lastFinished = ThreadLocal.withInitial(() -> new long[1]);

  private EncodeAhead() {
    this.scorer = null;
    this.rules = null;
    this.images = null;
    this.deserializers = null;
    this.pool = null;
    this.maxPending = 0;
    this.threads = 0;
    this.lookahead = 0;
    this.clock = System::nanoTime;
    this.closed = true;
  }

  /**
   * @param threads workers (at least 1)
   * @param deserializers makes the images topic's value deserializer (one per worker)
   */
  public EncodeAhead(
      ExamScoringService scorer,
      TriageSettings settings,
      Supplier<Deserializer<MammogramImage>> deserializers,
      int threads) {
    this(scorer, settings, deserializers, threads, -1);
  }

  /**
   * @param lookahead images whose encoding is not done yet that a stream thread may hold while it
   *     goes on ({@link #lookahead()}): -1 for {@link #LOOKAHEAD_PER_THREAD} per worker, 0 to wait
   *     for each image as it is reached
   */
  public EncodeAhead(
      ExamScoringService scorer,
      TriageSettings settings,
      Supplier<Deserializer<MammogramImage>> deserializers,
      int threads,
      int lookahead) {
    this(scorer, settings, deserializers, threads, lookahead, MAX_PENDING, System::nanoTime);
  }

  EncodeAhead(
      ExamScoringService scorer,
      TriageSettings settings,
      Supplier<Deserializer<MammogramImage>> deserializers,
      int threads,
      int lookahead,
      int maxPending,
      java.util.function.LongSupplier clock) {
    if (threads < 1) {
      throw new IllegalArgumentException("encode-ahead threads must be at least 1: " + threads);
    }
    if (lookahead < -1) {
      throw new IllegalArgumentException("encode-ahead lookahead must be -1 or more: " + lookahead);
    }
    this.lookahead = lookahead < 0 ? LOOKAHEAD_PER_THREAD * threads : lookahead;
    this.scorer = scorer;
    this.rules = SlotRules.of(settings);
    this.images = settings.images();
    this.deserializers = ThreadLocal.withInitial(deserializers);
    this.maxPending = maxPending;
    this.threads = threads;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "streams-encode-ahead-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** The pool's workers (0 for {@link #NONE}). */
  public int threads() {
    return threads;
  }

  /**
   * How many images whose encoding is not done yet a stream thread may hold while it goes on with
   * later records (0: it waits for each image's encoding when it reaches the image, as the pool
   * gets images only as polls return them and so runs dry at each poll). {@link ExamAssembler}
   * keeps up to this many {@link Claim}s open and releases an exam once its encodings are done, so
   * that the stream thread can poll again while the workers still encode the end of a batch.
   */
  public int lookahead() {
    return pool == null ? 0 : lookahead;
  }

  /** Whether images are encoded ahead at all ({@link #NONE} is not). */
  public boolean enabled() {
    return pool != null;
  }

  /**
   * Starts encoding the images topic's records of a poll, in order; records already pending (polled
   * again after a seek) are kept as they are.
   */
  public void offer(ConsumerRecords<byte[], byte[]> records) {
    if (closed || records.isEmpty()) {
      return;
    }
    for (ConsumerRecord<byte[], byte[]> rec : records.records(Topics.IMAGES.name())) {
      polledTo.merge(rec.partition(), rec.offset(), Math::max);
      Pending task = new Pending(() -> encode(rec), clock.getAsLong());
      synchronized (this) {
        if (size >= maxPending) {
          purgeStale(task.offered);
        }
        if (size >= maxPending) {
          dropped.incrementAndGet();
          continue;
        }
        TreeMap<Long, Pending> p = pending.computeIfAbsent(rec.partition(), k -> new TreeMap<>());
        if (p.putIfAbsent(rec.offset(), task) != null) {
          continue;
        }
        size++;
      }
      try {
        pool.execute(() -> runOnWorker(task));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // closed meanwhile: take() runs the task itself or finds nothing
      }
    }
  }

  /**
   * The encoding made ahead for the image at this partition and offset of mammo.images.v1, waiting
   * for it when a worker is on it and computing it here when none has started; null when there is
   * none (never offered, dropped, or it failed: the caller encodes). Entries of the partition
   * before this offset were passed over by the stream thread and are dropped.
   */
  public EncodeResult take(int partition, long offset) {
    Claim c = claim(partition, offset);
    return c == null ? null : c.get();
  }

  /**
   * Takes the encoding being made ahead for the image at this partition and offset out of the
   * pool's keeping without waiting for it: the caller {@link Claim#get}s it when it needs it (a
   * later claim no longer drops it). Null when there is none (never offered, or dropped: the caller
   * encodes). Entries of the partition before this offset were passed over by the stream thread and
   * are dropped.
   */
  public Claim claim(int partition, long offset) {
    if (pool == null) {
      return null;
    }
    Pending task;
    synchronized (this) {
      TreeMap<Long, Pending> p = pending.get(partition);
      if (p == null) {
        misses.incrementAndGet();
        return null;
      }
      Map<Long, Pending> before = p.headMap(offset);
      for (Pending t : before.values()) {
        t.cancel(false);
      }
      size -= before.size();
      before.clear();
      task = p.remove(offset);
      if (task != null) {
        size--;
      }
    }
    if (task == null) {
      misses.incrementAndGet();
      return null;
    }
    return new Claim(task);
  }

  /**
   * An image's encoding taken from the pool by {@link #claim}: done or not, and got (waited for, or
   * computed on the calling thread when no worker has started it) once.
   */
  public final class Claim {
    private final Pending task;
    private EncodeResult result;
    private boolean got;

    private Claim(Pending task) {
      this.task = task;
    }

    /** Whether the encoding is done (or failed): {@link #get} will not wait. */
    public boolean done() {
      return got || task.isDone();
    }

    /**
     * As {@link #get}, but leaves the encoding to the pool's workers, which run the images in the
     * order they were offered (so a claimed image not started yet is next or nearly): it is run
     * here only once the pool is shut down. For a stream thread that goes on past encodings not
     * done ({@link #lookahead()}), the workers are busy whenever it waits, and an encoding run here
     * would be a third encoder on two cores, slowing the workers down by as much.
     */
    public EncodeResult await() {
      long t0 = System.nanoTime();
      while (!got && !task.isDone() && !pool.isShutdown()) {
        try {
          task.get(50, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // still queued or running: wait on
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        } catch (ExecutionException | CancellationException e) {
          break; // done: get() says what
        }
      }
      waitedNanos.addAndGet(System.nanoTime() - t0);
      return get();
    }

    /**
     * The encoding (null: none to use, the caller encodes), waiting for it, or computing it here
     * when no worker has started it.
     */
    public EncodeResult get() {
      if (got) {
        return result;
      }
      got = true;
      long t0 = System.nanoTime();
      task.run(); // does nothing when a worker has started or finished it
      try {
        EncodeResult r = task.get();
        waitedNanos.addAndGet(System.nanoTime() - t0);
        (r != null && r.encoded() ? hits : misses).incrementAndGet();
        if (task.ranOn == Thread.currentThread()) {
          selfRun.incrementAndGet();
        }
        result = r;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | CancellationException e) {
        misses.incrementAndGet();
      }
      return result;
    }
  }

  /**
   * Whether the stream thread calling this has more of the partition's images to process soon after
   * the one at {@code offset}: records the last poll returned beyond it, or (at the end of what it
   * holds) a lag its main consumer knows of, so that its next poll returns at once. False when
   * neither is known (an exam then is released before the thread polls again, without waiting for
   * its next poll).
   */
  public boolean moreComing(int partition, long offset) {
    Long to = polledTo.get(partition);
    if (to != null && offset < to) {
      return true;
    }
    org.apache.kafka.clients.consumer.Consumer<?, ?> c =
        consumers.get(Thread.currentThread().getName());
    if (c == null) {
      return false;
    }
    try {
      java.util.OptionalLong lag =
          c.currentLag(new org.apache.kafka.common.TopicPartition(Topics.IMAGES.name(), partition));
      return lag.isPresent() && lag.getAsLong() > 0;
    } catch (RuntimeException e) {
      return false; // not assigned here (any more), closed: nothing known
    }
  }

  /**
   * Registers a stream thread's main consumer under the thread's name (Kafka Streams names the
   * consumer's client id after its thread: {@code <thread>-consumer}), for {@link #moreComing}. A
   * replaced stream thread has a new name: the consumer of the one it replaced is not asked again.
   */
  void registerMainConsumer(String clientId, org.apache.kafka.clients.consumer.Consumer<?, ?> c) {
    if (clientId == null || !clientId.endsWith("-consumer")) {
      return;
    }
    consumers.put(clientId.substring(0, clientId.length() - "-consumer".length()), c);
  }

  /**
   * Runs a task on a worker, adding the time since the worker's previous task to {@link
   * #workersIdleNanos()} (a task already taken by the stream thread returns at once).
   */
  private void runOnWorker(Pending task) {
    long[] last = lastFinished.get();
    long start = System.nanoTime();
    if (last[0] != 0) {
      workersIdle.addAndGet(start - last[0]);
    }
    try {
      task.run();
    } finally {
      last[0] = System.nanoTime();
    }
  }

  /** Runs something on the pool after what was handed to it (tests: a one-worker pool is done). */
  void runOnPool(Runnable r) {
    pool.execute(r);
  }

  /** Drops what was offered before {@link #STALE_NANOS} ago (under the lock). */
  private void purgeStale(long now) {
    for (var it = pending.values().iterator(); it.hasNext(); ) {
      TreeMap<Long, Pending> p = it.next();
      for (var e = p.values().iterator(); e.hasNext(); ) {
        Pending t = e.next();
        if (now - t.offered >= STALE_NANOS) {
          t.cancel(false);
          e.remove();
          size--;
        }
      }
      if (p.isEmpty()) {
        it.remove();
      }
    }
  }

  /** An image being encoded ahead, and when it was offered. */
  private static final class Pending extends FutureTask<EncodeResult> {
    final long offered;
    // the thread that ran the encoding: FutureTask completes it on that thread
    volatile Thread ranOn;

    Pending(java.util.concurrent.Callable<EncodeResult> c, long offered) {
      super(c);
      this.offered = offered;
    }

    @Override
    protected void set(EncodeResult v) {
      ranOn = Thread.currentThread();
      super.set(v);
    }

    @Override
    protected void setException(Throwable t) {
      ranOn = Thread.currentThread();
      super.setException(t);
    }
  }

  private EncodeResult encode(ConsumerRecord<byte[], byte[]> rec) {
    if (closed || !scorer.activeModel().encodesViews()) {
      return null; // a contract-1 model keeps the image: nothing to encode ahead
    }
    try {
      MammogramImage img = deserializers.get().deserialize(rec.topic(), rec.headers(), rec.value());
      if (img == null || img.getWorkingImagePng() == null && img.getWorkingImageRef() == null) {
        return null;
      }
      Slot slot =
          rules
              .slotOf(img.getLaterality().name(), img.getView(), img.getViewModifiers())
              .orElse(null);
      if (slot == null) {
        return null; // an extra view: not encoded
      }
      // a reference is read from the image store here, off the stream thread
      return scorer.encode(new ExamImage(slot, images.pngOf(img), img.getSopInstanceUid()));
    } catch (RuntimeException | java.io.IOException e) {
      // the stream thread meets the same record and handles it as it always did (DLQ, retry)
      LOG.debug(
          "image at {}-{} offset {} not encoded ahead: {}",
          rec.topic(),
          rec.partition(),
          rec.offset(),
          e.toString());
      return null;
    }
  }

  /** Images taken with an encoding made ahead so far. */
  public long hits() {
    return hits.get();
  }

  /**
   * Images the stream thread asked for and found no encoding for (none made ahead, or a failure
   * there): it encodes them itself.
   */
  public long misses() {
    return misses.get();
  }

  /**
   * Of the {@link #hits()} and {@link #misses()}, the tasks the stream thread ran itself in {@link
   * #take} because no worker had started them yet (the workers were busy with earlier images): the
   * image work of these is on the stream thread's CPU.
   */
  public long ranByTaker() {
    return selfRun.get();
  }

  /**
   * Time the workers waited between images since each one's first, summed over the workers: with a
   * backlog to work through it is what the stream thread's polls cost the pool, which gets images
   * only as polls return them (Kafka Streams polls again only after it has processed every record
   * it holds, so with a {@link #lookahead()} of 0 the pool has run dry by each poll).
   */
  public long workersIdleNanos() {
    return workersIdle.get();
  }

  /**
   * Times a stream thread released the exams it held for their encodings before going back to a
   * poll that would not return images at once ({@link #moreComing} false), waiting for those
   * encodings: once at the end of each burst on a quiet stream, rarely while it works through a
   * backlog.
   */
  public long waitsBeforePoll() {
    return waitsBeforePoll.get();
  }

  /** Counts one of {@link #waitsBeforePoll()}. */
  void waitedBeforePoll() {
    waitsBeforePoll.incrementAndGet();
  }

  /** Images not encoded ahead because {@link #MAX_PENDING} were waiting. */
  public long dropped() {
    return dropped.get();
  }

  /**
   * Time the stream threads spent in {@link #take} waiting for (or computing) encodings, in total:
   * near the stream's run time when the encoding, not the stream thread, is what limits it.
   */
  public long waitedNanos() {
    return waitedNanos.get();
  }

  /** Images offered and not yet taken or dropped. */
  synchronized int pending() {
    return size;
  }

  @Override
  public void close() {
    if (pool == null) {
      return;
    }
    closed = true;
    pool.shutdownNow();
    synchronized (this) {
      pending.values().forEach(p -> p.values().forEach(t -> t.cancel(false)));
      pending.clear();
      size = 0;
    }
  }
}
