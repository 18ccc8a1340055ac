package org.mammotriage.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.schemas.Topics;

/**
 * {@code mammotriage broker} in its own process; this test JVM is the second process that produces
 * and consumes.
 */
class BrokerCommandIT {
  private static final Pattern READY =
      Pattern.compile("bootstrap=(\\S+)\\s+started in ([0-9.]+) s");

  @Test
  void shouldStartPrintStartupTimeAndServeASecondProcess(@TempDir Path dir) throws Exception {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process proc =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-cp",
                cp,
                Main.class.getName(),
                "broker",
                "--port",
                "0",
                "--data-dir",
                dir.resolve("data").toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      String bootstrap = null;
      double startup = -1;
      for (String line; (line = out.readLine()) != null; ) {
        lines.add(line);
        Matcher m = READY.matcher(line);
        if (m.find()) {
          bootstrap = m.group(1);
          startup = Double.parseDouble(m.group(2));
          break;
        }
      }
      assertThat(bootstrap).as("broker output: %s", lines).isNotNull();
      assertThat(startup).isPositive();
      System.out.println("broker process reported start-up time " + startup + " s");

      String topic = Topics.ROUTINE.name();
      try (var p =
          new KafkaProducer<String, String>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  bootstrap,
                  ProducerConfig.ACKS_CONFIG,
                  "all"),
              new StringSerializer(),
              new StringSerializer())) {
        p.send(new ProducerRecord<>(topic, "study-1", "hello")).get(30, TimeUnit.SECONDS);
      }
      Properties cp2 = new Properties();
      cp2.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      cp2.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
      cp2.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      List<ConsumerRecord<String, String>> got = new ArrayList<>();
      try (var c = new KafkaConsumer<>(cp2, new StringDeserializer(), new StringDeserializer())) {
        c.subscribe(List.of(topic));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (got.isEmpty() && System.nanoTime() < deadline) {
          c.poll(Duration.ofMillis(200)).forEach(got::add);
        }
      }
      assertThat(got).extracting(ConsumerRecord::value).containsExactly("hello");
    } finally {
      proc.destroy(); // SIGTERM: the shutdown hook stops the broker
      assertThat(proc.waitFor(60, TimeUnit.SECONDS)).as("broker exits on SIGTERM").isTrue();
    }
  }
}
