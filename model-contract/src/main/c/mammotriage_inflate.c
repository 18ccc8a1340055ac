/*
 * JNI glue between the scorer's PNG decoder and libdeflate (Debian package libdeflate0), a
 * whole-buffer DEFLATE decompressor about twice as fast as zlib's streaming inflate on working
 * images. libdeflate is opened with dlopen, so building this needs only gcc and the JDK headers;
 * a machine without libdeflate.so.0 makes init() return false and the Java side uses
 * java.util.zip.Inflater instead.
 *
 * The three functions used are libdeflate's documented public API (libdeflate.h):
 *   struct libdeflate_decompressor *libdeflate_alloc_decompressor(void);
 *   enum libdeflate_result libdeflate_zlib_decompress(struct libdeflate_decompressor *,
 *       const void *in, size_t in_nbytes, void *out, size_t out_nbytes_avail,
 *       size_t *actual_out_nbytes_ret);
 *   void libdeflate_free_decompressor(struct libdeflate_decompressor *);
 * With actual_out_nbytes_ret NULL, success means the output was filled exactly.
 *
 * And, for ingest's working-image PNG (zlib stream of the filtered scanlines):
 *   struct libdeflate_compressor *libdeflate_alloc_compressor(int compression_level);
 *   size_t libdeflate_zlib_compress(struct libdeflate_compressor *, const void *in,
 *       size_t in_nbytes, void *out, size_t out_nbytes_avail);   (0 when it does not fit)
 *   size_t libdeflate_zlib_compress_bound(struct libdeflate_compressor *, size_t in_nbytes);
 *   void libdeflate_free_compressor(struct libdeflate_compressor *);
 * A compressor holds a few hundred KB of tables; each thread keeps one per level it used (freed
 * when the thread ends), so encoding an image allocates nothing large.
 */
#include <dlfcn.h>
#include <jni.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef void *(*alloc_fn)(void);
typedef int (*zlib_fn)(void *, const void *, size_t, void *, size_t, size_t *);
typedef void (*free_fn)(void *);

static alloc_fn alloc_decompressor;
static zlib_fn zlib_decompress;
static free_fn free_decompressor;
static char init_error[256];

typedef void *(*calloc_fn)(int);
typedef size_t (*zcompress_fn)(void *, const void *, size_t, void *, size_t);
typedef size_t (*zbound_fn)(void *, size_t);
static calloc_fn alloc_compressor;
static zcompress_fn zlib_compress;
static zbound_fn zlib_compress_bound;
static free_fn free_compressor;

#define MAX_LEVEL 12
static pthread_key_t compressors_key;
static pthread_once_t compressors_once = PTHREAD_ONCE_INIT;

/* Frees a finished thread's compressors. */
static void free_compressors(void *p) {
  void **c = p;
  for (int i = 0; i <= MAX_LEVEL; i++) {
    if (c[i] != NULL) {
      free_compressor(c[i]);
    }
  }
  free(c);
}

static void make_compressors_key(void) { pthread_key_create(&compressors_key, free_compressors); }

/* This thread's compressor for the level, allocated on first use; NULL when memory ran out. */
static void *thread_compressor(int level) {
  pthread_once(&compressors_once, make_compressors_key);
  void **c = pthread_getspecific(compressors_key);
  if (c == NULL) {
    c = calloc(MAX_LEVEL + 1, sizeof(void *));
    if (c == NULL || pthread_setspecific(compressors_key, c) != 0) {
      free(c);
      return NULL;
    }
  }
  if (c[level] == NULL) {
    c[level] = alloc_compressor(level);
  }
  return c[level];
}

/* Opens libdeflate.so.0; returns JNI_TRUE when its functions were found. */
JNIEXPORT jboolean JNICALL Java_org_mammotriage_contract_image_NativeInflate_init(JNIEnv *env,
                                                                           jclass cls) {
  (void)env;
  (void)cls;
  if (zlib_decompress != NULL) {
    return JNI_TRUE;
  }
  void *h = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    const char *e = dlerror();
    strncpy(init_error, e == NULL ? "dlopen failed" : e, sizeof(init_error) - 1);
    return JNI_FALSE;
  }
  alloc_decompressor = (alloc_fn)dlsym(h, "libdeflate_alloc_decompressor");
  free_decompressor = (free_fn)dlsym(h, "libdeflate_free_decompressor");
  zlib_fn z = (zlib_fn)dlsym(h, "libdeflate_zlib_decompress");
  if (alloc_decompressor == NULL || free_decompressor == NULL || z == NULL) {
    strncpy(init_error, "libdeflate.so.0 lacks the decompression functions",
            sizeof(init_error) - 1);
    return JNI_FALSE;
  }
  alloc_compressor = (calloc_fn)dlsym(h, "libdeflate_alloc_compressor");
  zlib_compress = (zcompress_fn)dlsym(h, "libdeflate_zlib_compress");
  zlib_compress_bound = (zbound_fn)dlsym(h, "libdeflate_zlib_compress_bound");
  free_compressor = (free_fn)dlsym(h, "libdeflate_free_compressor");
  if (alloc_compressor == NULL || zlib_compress == NULL || zlib_compress_bound == NULL ||
      free_compressor == NULL) {
    strncpy(init_error, "libdeflate.so.0 lacks the compression functions",
            sizeof(init_error) - 1);
    return JNI_FALSE;
  }
  zlib_decompress = z;
  return JNI_TRUE;
}

/* Why init() returned false. */
JNIEXPORT jstring JNICALL Java_org_mammotriage_contract_image_NativeInflate_initError(JNIEnv *env,
                                                                               jclass cls) {
  (void)cls;
  return (*env)->NewStringUTF(env, init_error);
}

/*
 * Inflates the zlib stream in[inOff, inOff+inLen) into out[outOff, outOff+outLen), which it must
 * fill exactly.
 * Returns 0 on success, else libdeflate's result (1 bad data, 2 short output, 3 output too small),
 * -1 when not initialised, -2 when the bounds are wrong, -3 when memory ran out.
 */
JNIEXPORT jint JNICALL Java_org_mammotriage_contract_image_NativeInflate_zlibDecompress(
    JNIEnv *env, jclass cls, jbyteArray in, jint inOff, jint inLen, jbyteArray out, jint outOff,
    jint outLen) {
  (void)cls;
  if (zlib_decompress == NULL) {
    return -1;
  }
  if (inOff < 0 || inLen < 0 || outLen < 0 || inOff > (*env)->GetArrayLength(env, in) - inLen ||
      outOff < 0 || outOff > (*env)->GetArrayLength(env, out) - outLen) {
    return -2;
  }
  void *d = alloc_decompressor();
  if (d == NULL) {
    return -3;
  }
  jbyte *src = (*env)->GetPrimitiveArrayCritical(env, in, NULL);
  if (src == NULL) {
    free_decompressor(d);
    return -3;
  }
  jbyte *dst = (*env)->GetPrimitiveArrayCritical(env, out, NULL);
  if (dst == NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, in, src, JNI_ABORT);
    free_decompressor(d);
    return -3;
  }
  int r = zlib_decompress(d, src + inOff, (size_t)inLen, dst + outOff, (size_t)outLen, NULL);
  (*env)->ReleasePrimitiveArrayCritical(env, out, dst, 0);
  (*env)->ReleasePrimitiveArrayCritical(env, in, src, JNI_ABORT);
  free_decompressor(d);
  return r;
}

/*
 * Compresses in[inOff, inOff+inLen) into a zlib stream at out[outOff, outOff+outCap) with the
 * given level (0-12). Returns the compressed length; 0 when it does not fit in outCap, -1 when not
 * initialised, -2 when the bounds or the level are wrong, -3 when memory ran out.
 */
JNIEXPORT jint JNICALL Java_org_mammotriage_contract_image_NativeInflate_zlibCompress(
    JNIEnv *env, jclass cls, jbyteArray in, jint inOff, jint inLen, jbyteArray out, jint outOff,
    jint outCap, jint level) {
  (void)cls;
  if (zlib_compress == NULL) {
    return -1;
  }
  if (level < 0 || level > MAX_LEVEL || inOff < 0 || inLen < 0 || outCap < 0 ||
      inOff > (*env)->GetArrayLength(env, in) - inLen || outOff < 0 ||
      outOff > (*env)->GetArrayLength(env, out) - outCap) {
    return -2;
  }
  void *c = thread_compressor(level);
  if (c == NULL) {
    return -3;
  }
  jbyte *src = (*env)->GetPrimitiveArrayCritical(env, in, NULL);
  if (src == NULL) {
    return -3;
  }
  jbyte *dst = (*env)->GetPrimitiveArrayCritical(env, out, NULL);
  if (dst == NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, in, src, JNI_ABORT);
    return -3;
  }
  size_t n = zlib_compress(c, src + inOff, (size_t)inLen, dst + outOff, (size_t)outCap);
  (*env)->ReleasePrimitiveArrayCritical(env, out, dst, 0);
  (*env)->ReleasePrimitiveArrayCritical(env, in, src, JNI_ABORT);
  return (jint)n;
}

/* The most bytes a zlib stream of inLen bytes can take (any level). */
JNIEXPORT jint JNICALL Java_org_mammotriage_contract_image_NativeInflate_zlibCompressBound(
    JNIEnv *env, jclass cls, jint inLen) {
  (void)env;
  (void)cls;
  if (zlib_compress_bound == NULL || inLen < 0) {
    return -1;
  }
  size_t b = zlib_compress_bound(NULL, (size_t)inLen);
  return b > 0x7fffffff ? -1 : (jint)b;
}
