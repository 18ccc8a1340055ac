"""Python baseline for `mammotriage bench ingest`: the same preprocessing steps as the Java Preprocessor
(decode, rescale, VOI LUT or window, MONOCHROME1 inversion, flip to chest wall left, threshold + largest
connected component crop, pad to aspect, area resize to 1520x912, 8-bit PNG), timed per image.
Run with Debian's /usr/bin/python3 (python3-pydicom, python3-numpy, python3-opencv)."""
import sys, time, json
import numpy as np
import pydicom
import cv2

OUT_H, OUT_W = 1520, 912


def voi(ds, a):
    seq = getattr(ds, "VOILUTSequence", None)
    if seq:
        item = seq[0]
        n, first, bits = item.LUTDescriptor
        n = n or 65536
        lut = np.frombuffer(item.LUTData, dtype=np.uint16) if isinstance(item.LUTData, bytes) else np.asarray(item.LUTData)
        idx = np.clip(a.astype(np.int64) - first, 0, n - 1)
        return lut[idx].astype(np.float32) / float((1 << bits) - 1)
    if "WindowCenter" in ds and "WindowWidth" in ds:
        c = float(ds.WindowCenter[0] if ds["WindowCenter"].VM > 1 else ds.WindowCenter)
        w = float(ds.WindowWidth[0] if ds["WindowWidth"].VM > 1 else ds.WindowWidth)
        return np.clip((a - (c - 0.5 - (w - 1) / 2)) / (w - 1), 0, 1).astype(np.float32)
    lo, hi = float(a.min()), float(a.max())
    return ((a - lo) / max(hi - lo, 1e-6)).astype(np.float32)


def process(path):
    ds = pydicom.dcmread(path)
    a = ds.pixel_array.astype(np.float32)
    slope = float(getattr(ds, "RescaleSlope", 1.0)); inter = float(getattr(ds, "RescaleIntercept", 0.0))
    if slope != 1.0 or inter != 0.0:
        a = a * slope + inter
    v = voi(ds, a)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        v = 1.0 - v
    po = getattr(ds, "PatientOrientation", None)
    if po and str(po[0]).startswith("P"):
        v = v[:, ::-1]
    small = (v[::4, ::4] > 0.08).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(small, connectivity=4)
    if n > 1:
        k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        x, y, w, h = stats[k, :4]
        y0, y1, x1 = max(0, (y - 2) * 4), min(v.shape[0], (y + h + 2) * 4), min(v.shape[1], (x + w + 2) * 4)
        v = v[y0:y1, 0:x1]
    h, w = v.shape
    aspect = OUT_H / OUT_W
    ch, cw = (h, int(np.ceil(h / aspect))) if h / w > aspect else (int(np.ceil(w * aspect)), w)
    canvas = np.zeros((ch, cw), np.float32)
    off = (ch - h) // 2
    canvas[off:off + h, :w] = v
    out = cv2.resize(canvas, (OUT_W, OUT_H), interpolation=cv2.INTER_AREA)
    g = np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)
    ok, png = cv2.imencode(".png", g)
    return len(png)


def serve():
    """One path a line on stdin; answers the milliseconds its processing took (interleaved runs)."""
    for line in sys.stdin:
        path = line.strip()
        if not path:
            break
        t0 = time.perf_counter()
        process(path)
        print("%.3f" % ((time.perf_counter() - t0) * 1000), flush=True)


def main():
    if sys.argv[1] == "--serve":
        serve()
        return
    reps = int(sys.argv[1])
    res = {}
    for path in sys.argv[2:]:
        process(path)  # warm
        t0 = time.perf_counter()
        for _ in range(reps):
            process(path)
        res[path] = (time.perf_counter() - t0) * 1000 / reps
    print(json.dumps(res))


if __name__ == "__main__":
    main()
