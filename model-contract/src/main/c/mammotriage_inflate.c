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
 */
#include <dlfcn.h>
#include <jni.h>
#include <stddef.h>
#include <string.h>

typedef void *(*alloc_fn)(void);
typedef int (*zlib_fn)(void *, const void *, size_t, void *, size_t, size_t *);
typedef void (*free_fn)(void *);

static alloc_fn alloc_decompressor;
static zlib_fn zlib_decompress;
static free_fn free_decompressor;
static char init_error[256];

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
