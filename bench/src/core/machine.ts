import { cpus, freemem, loadavg, release, totalmem, type as osType } from "node:os";

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGB: number;
  freeMemoryGB: number;
  /** 1-minute load average when the run started: > 0.5 per core means something else was competing for the CPU. */
  loadAverage1m: number;
  node: string;
  os: string;
}

export function describeMachine(): MachineInfo {
  const processors = cpus();
  return {
    cpuModel: processors[0]?.model.trim() ?? "unknown",
    cores: processors.length,
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    node: process.version,
    os: `${osType()} ${release()} ${process.arch}`,
  };
}
