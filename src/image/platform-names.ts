/** Node's process.arch in Go's GOARCH spelling, which image platforms and Docker output use. */
export function goArch(arch: string = process.arch): string {
  switch (arch) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return '386';
    default:
      return arch;
  }
}
