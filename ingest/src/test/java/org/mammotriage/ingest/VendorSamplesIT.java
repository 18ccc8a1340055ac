package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.dicom.Classification;
import org.mammotriage.ingest.dicom.InstanceClassifier;
import org.mammotriage.ingest.dicom.Limits;
import org.mammotriage.ingest.dicom.Reason;
import org.mammotriage.ingest.dicom.RejectedException;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.testing.Fixtures;
import org.mammotriage.testing.KafkaTestCluster;

/** The real vendor files in ../shared/samples: GE headers and CBIS-DDSM secondary captures. */
class VendorSamplesIT {
  @TempDir Path dir;

  private static AttributeList header(String name) throws Exception {
    AttributeList l = new AttributeList();
    l.read(Fixtures.sample(name).toFile(), TagFromName.PixelData);
    return l;
  }

  @Test
  void shouldClassifyTheGeForPresentationFileAsLeftCc() throws Exception {
    AttributeList h = header("vendor-headers/MG-Im-GE_Seno_1_ForPresentation.dcm");
    Classification c = new InstanceClassifier(false, Limits.defaults()).classify(h, null);
    assertThat(c.laterality()).isEqualTo("L");
    assertThat(c.view()).isEqualTo("CC");
    assertThat(c.slottable()).isTrue();
    assertThat(Attribute.getSingleStringValueOrEmptyString(h, TagFromName.Manufacturer))
        .contains("GE");
    // the sample's pixel data was cut down to 1x2 pixels: ingest would refuse it as an image
    assertThatThrownBy(() -> new InstanceClassifier(false, Limits.defaults()).checkPixelFormat(h))
        .isInstanceOfSatisfying(
            RejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_PIXEL_FORMAT));
    // the "scaled" GE sample is a For Processing object: refused like the other one
    assertThatThrownBy(
            () ->
                new InstanceClassifier(false, Limits.defaults())
                    .classify(header("vendor-headers/MG-Im-GE-SenDS-scaled.dcm"), null))
        .isInstanceOfSatisfying(
            RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FOR_PROCESSING));
  }

  @Test
  void shouldRejectTheGeForProcessingFile() throws Exception {
    AttributeList h = header("vendor-headers/MG-Im-GE_Seno_1_ForProcessing.dcm");
    assertThatThrownBy(() -> new InstanceClassifier(false, Limits.defaults()).classify(h, null))
        .isInstanceOfSatisfying(
            RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FOR_PROCESSING));
  }

  @Test
  void shouldRejectCbisSecondaryCaptureByDefaultAndAcceptItWhenConfigured() throws Exception {
    try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
      Path crop = Fixtures.sample("cbis-ddsm/P_00016_LEFT_CC_1_cropped_000001.dcm");
      Path roi = Fixtures.sample("cbis-ddsm/P_00116_RIGHT_MLO_1_roi_000000.dcm");
      try (IngestHarness strict =
          new IngestHarness(kafka.bootstrapServers(), dir.resolve("s1"), Map.of())) {
        Outcome o = strict.runtime.pipeline().process(crop, "IMPORT", "INGEST_IMPORT");
        assertThat(o.status()).isEqualTo(Outcome.Status.REJECTED);
        assertThat(o.reason()).isEqualTo(Reason.SECONDARY_CAPTURE);
      }
      try (IngestHarness lenient =
          new IngestHarness(
              kafka.bootstrapServers(),
              dir.resolve("s2"),
              Map.of(IngestConfig.ACCEPT_SECONDARY_CAPTURE, "true"))) {
        assertThat(lenient.runtime.pipeline().process(crop, "IMPORT", "INGEST_IMPORT").status())
            .isEqualTo(Outcome.Status.STORED);
        assertThat(lenient.runtime.pipeline().process(roi, "IMPORT", "INGEST_IMPORT").status())
            .isEqualTo(Outcome.Status.STORED);
      }
      var de = Topics.IMAGES.valueSerde(SerdeFactory.singleObject()).deserializer();
      var images =
          kafka
              .consumeUntil(
                  Topics.IMAGES.name(),
                  new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                  l -> l.size() >= 2,
                  Duration.ofSeconds(30))
              .stream()
              .map(r -> de.deserialize("t", r.value()))
              .toList();
      assertThat(images)
          .extracting(MammogramImage::getLaterality)
          .extracting(Enum::name)
          .containsExactlyInAnyOrder("L", "R");
      // CBIS-DDSM keeps the view in PatientOrientation and names its crops in SeriesDescription:
      // named crops, kept as extras, never slotted
      assertThat(images).extracting(MammogramImage::getView).containsExactlyInAnyOrder("CC", "MLO");
      assertThat(images)
          .allSatisfy(i -> assertThat(i.getViewModifiers()).containsExactly("LESION_CROP"));
    }
  }
}
