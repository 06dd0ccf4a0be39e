/**
 * A Debian 12 VM for the first-boot test layer: qemu (KVM when it works, else TCG software
 * emulation), the image from scripts/vm/build-image.sh, a NoCloud seed with the kit's user data,
 * the data volume as a virtio-scsi disk with Hetzner's by-id name, and user-mode networking
 * restricted to one loopback port forward to the guest's sshd (the guest has no way out).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../plan/runPlan";
import { freePort } from "./loopback";
import { requireTool } from "./tools";

/** Where built images are kept between runs, keyed by their inputs (MAUTIC_KIT_VM_CACHE overrides). */
export const vmCacheRoot = process.env.MAUTIC_KIT_VM_CACHE ?? "/var/cache/mautic-kit-vm";

export interface VmImage {
    dir: string;
    disk: string;
    kernel: string;
    initrd: string;
    /** Seconds the build took (0 when it came from the cache). */
    builtSeconds: number;
}

/** Every tool the layer needs, checked up front: a missing one fails the layer, never skips it. */
export function requireVmTools(): void {
    for (const t of ["qemu-system-x86_64", "qemu-img", "genisoimage", "debootstrap", "mkfs.ext4", "ssh", "ssh-keygen", "ssh-keyscan", "flock", "chroot"])
        requireTool(t);
}

/** Builds (or reuses) the image holding `packages` in apt's cache. Bounded by `timeoutMs`. */
export function buildImage(packages: string[], timeoutMs: number): VmImage {
    const script = path.join(projectRoot, "scripts", "vm", "build-image.sh");
    const started = Date.now();
    const r = spawnSync("bash", [script, vmCacheRoot, ...packages], { encoding: "utf8", timeout: timeoutMs, killSignal: "SIGTERM" });
    if (r.status !== 0) throw new Error(`image build failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ""}):\n${r.stderr}`);
    const dir = r.stdout.trim().split("\n").pop()!;
    const fresh = /build-image: done/.test(r.stderr);
    return {
        dir,
        disk: path.join(dir, "disk.qcow2"),
        kernel: path.join(dir, "vmlinuz"),
        initrd: path.join(dir, "initrd.img"),
        builtSeconds: fresh ? Math.round((Date.now() - started) / 1000) : 0,
    };
}

/** True when /dev/kvm opens and a KVM guest actually runs here (probed once with a tiny guest). */
function kvmWorks(dir: string): boolean {
    if (process.env.MAUTIC_KIT_VM_ACCEL) return process.env.MAUTIC_KIT_VM_ACCEL === "kvm";
    try {
        fs.accessSync("/dev/kvm", fs.constants.R_OK | fs.constants.W_OK);
    } catch {
        return false;
    }
    // Some sandboxes expose a /dev/kvm that creates VMs but cannot run them: boot nothing (-S) and
    // ask the monitor whether the vCPU runs.
    const sock = path.join(dir, "kvm-probe.sock");
    const r = spawnSync(
        requireTool("qemu-system-x86_64"),
        [
            "-accel",
            "kvm",
            "-cpu",
            "host",
            "-M",
            "q35",
            "-m",
            "64",
            "-display",
            "none",
            "-vga",
            "none",
            "-nodefaults",
            "-no-reboot",
            "-bios",
            "/dev/null",
            "-monitor",
            `unix:${sock},server=off`,
        ],
        { timeout: 8000, encoding: "utf8" },
    );
    return r.status === 0 || (r.signal === "SIGTERM" && !/error|Assertion/i.test(r.stderr ?? ""));
}

export interface VmOptions {
    image: VmImage;
    dir: string;
    userData: string;
    metaData: string;
    /** The Hetzner volume id: the disk appears as /dev/disk/by-id/scsi-0HC_Volume_<id>. */
    volumeId: string;
    /** Volume filesystem as Hetzner creates it (`format` of hcloud.Volume), or none. */
    volumeFormat?: string;
    memoryMb?: number;
}

export class Vm {
    readonly sshPort: number;
    readonly console: string;
    readonly accel: "kvm" | "tcg";
    private proc?: ChildProcess;
    private exited?: Promise<void>;

    private constructor(
        private readonly opts: VmOptions,
        port: number,
        accel: "kvm" | "tcg",
    ) {
        this.sshPort = port;
        this.console = path.join(opts.dir, "console.log");
        this.accel = accel;
    }

    static async create(opts: VmOptions): Promise<Vm> {
        const d = opts.dir;
        fs.writeFileSync(path.join(d, "user-data"), opts.userData);
        fs.writeFileSync(path.join(d, "meta-data"), opts.metaData);
        execFileSync(requireTool("genisoimage"), [
            "-quiet",
            "-output",
            path.join(d, "seed.iso"),
            "-volid",
            "cidata",
            "-joliet",
            "-rock",
            path.join(d, "user-data"),
            path.join(d, "meta-data"),
        ]);
        // The cached image stays untouched: the guest writes into a copy-on-write overlay.
        execFileSync(requireTool("qemu-img"), ["create", "-q", "-f", "qcow2", "-b", opts.image.disk, "-F", "qcow2", path.join(d, "root.qcow2")]);
        const vol = path.join(d, "volume.raw");
        fs.writeFileSync(vol, "");
        fs.truncateSync(vol, 2 * 1024 ** 3);
        if (opts.volumeFormat) execFileSync(requireTool(`mkfs.${opts.volumeFormat}`), ["-q", "-F", vol]);
        const accel = kvmWorks(d) ? "kvm" : "tcg";
        return new Vm(opts, await freePort(), accel);
    }

    /** Starts qemu (again, after a power-off). The guest's own reboots stay inside one qemu. */
    start(): void {
        const d = this.opts.dir;
        const accel = this.accel === "kvm" ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg,thread=multi", "-cpu", "max"];
        const args = [
            ...accel,
            "-M",
            "q35",
            "-smp",
            "2",
            "-m",
            String(this.opts.memoryMb ?? 2048),
            "-display",
            "none",
            "-vga",
            "none",
            "-monitor",
            "none",
            "-serial",
            `file:${this.console}`,
            "-kernel",
            this.opts.image.kernel,
            "-initrd",
            this.opts.image.initrd,
            "-append",
            "root=LABEL=root rw console=ttyS0 net.ifnames=0 quiet",
            "-drive",
            `file=${path.join(d, "root.qcow2")},if=virtio,format=qcow2,cache=unsafe`,
            "-drive",
            `file=${path.join(d, "seed.iso")},if=virtio,format=raw,readonly=on`,
            // Hetzner attaches volumes as SCSI disks with vendor HC, product Volume, the id as serial.
            "-device",
            "virtio-scsi-pci,id=scsi0",
            "-drive",
            `file=${path.join(d, "volume.raw")},if=none,id=vol,format=raw,cache=unsafe`,
            "-device",
            `scsi-hd,drive=vol,bus=scsi0.0,vendor=HC,product=Volume,serial=${this.opts.volumeId}`,
            // restrict=on: no packet leaves the guest except through the forward below.
            "-netdev",
            `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${this.sshPort}-:22`,
            "-device",
            "virtio-net-pci,netdev=n0,romfile=",
        ];
        const p = spawn(requireTool("qemu-system-x86_64"), args, { stdio: ["ignore", "ignore", "pipe"] });
        let err = "";
        p.stderr!.on("data", (c) => (err = (err + String(c)).slice(-4000)));
        this.exited = new Promise((resolve) => p.on("exit", () => resolve()));
        p.on("exit", (code, sig) => {
            if (code && code !== 0) fs.appendFileSync(path.join(d, "qemu.err"), `qemu exit ${code} ${sig ?? ""}: ${err}\n`);
        });
        this.proc = p;
    }

    get running(): boolean {
        return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
    }

    /** Kills qemu and waits for it (always called, also after a failure). */
    async kill(): Promise<void> {
        if (!this.running) return;
        this.proc!.kill("SIGKILL");
        await this.waitForExit(10000);
    }

    /** Waits until qemu has exited (e.g. the guest powered off), at most `limitMs`; true when it has. */
    async waitForExit(limitMs: number): Promise<boolean> {
        if (!this.running) return true;
        // The bound's timer is cleared once qemu has gone: left pending, it kept jest alive for
        // 10 s after the VM lane ("Jest did not exit one second after the test run").
        let bound: NodeJS.Timeout | undefined;
        await Promise.race([this.exited, new Promise((r) => (bound = setTimeout(r, limitMs)))]);
        clearTimeout(bound);
        return !this.running;
    }

    consoleTail(lines = 40): string {
        try {
            return fs.readFileSync(this.console, "utf8").split("\n").slice(-lines).join("\n");
        } catch {
            return "(no console output)";
        }
    }
}
