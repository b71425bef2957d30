/** `7K3MQ9PXR` → `7K3M-Q9PX-R`, grouped as printed under the QR code and read aloud. */
export function displayCode(code: string): string {
  return code.length === 9 ? `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}` : code;
}
