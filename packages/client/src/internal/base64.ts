type WithBase64 = Uint8Array & { toBase64?: () => string };
type BufferLike = { from(bytes: Uint8Array): { toString(encoding: 'base64'): string } };

/** Base64 of some bytes with whatever the runtime offers: Uint8Array#toBase64, Buffer, else btoa. */
export function toBase64(bytes: Uint8Array): string {
  const native = (bytes as WithBase64).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  const buffer = (globalThis as { Buffer?: BufferLike }).Buffer;
  if (buffer) return buffer.from(bytes).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(binary);
}

/** Bytes of a Blob, an ArrayBuffer or any typed array view, as a Uint8Array (no copy when possible). */
export async function toBytes(source: Blob | ArrayBuffer | ArrayBufferView): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  return new Uint8Array(await source.arrayBuffer());
}
