// glibc reserves 32 and 33, so user-visible real-time signals run 34..64.
const SIGRTMIN = 34;
const SIGRTMAX = 64;

/** Linux signal names (without `SIG`) to numbers: the table of moby/sys/signal `SignalMap`. */
export const LINUX_SIGNALS: Readonly<Record<string, number>> = (() => {
  const table: Record<string, number> = {
    ABRT: 6,
    ALRM: 14,
    BUS: 7,
    CHLD: 17,
    CLD: 17,
    CONT: 18,
    FPE: 8,
    HUP: 1,
    ILL: 4,
    INT: 2,
    IO: 29,
    IOT: 6,
    KILL: 9,
    PIPE: 13,
    POLL: 29,
    PROF: 27,
    PWR: 30,
    QUIT: 3,
    SEGV: 11,
    STKFLT: 16,
    STOP: 19,
    SYS: 31,
    TERM: 15,
    TRAP: 5,
    TSTP: 20,
    TTIN: 21,
    TTOU: 22,
    URG: 23,
    USR1: 10,
    USR2: 12,
    VTALRM: 26,
    WINCH: 28,
    XCPU: 24,
    XFSZ: 25,
    RTMIN: SIGRTMIN,
    RTMAX: SIGRTMAX,
  };
  for (let i = 1; i <= 15; i++) table[`RTMIN+${i}`] = SIGRTMIN + i;
  for (let i = 1; i <= 14; i++) table[`RTMAX-${i}`] = SIGRTMAX - i;
  return table;
})();

/** The highest valid signal number on Linux. */
export const MAX_SIGNAL = 64;
