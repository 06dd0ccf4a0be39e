/**
 * The cloud-init / host-file renderer input the host tests share: fixed, fake key material (the
 * snapshots pin what it renders), Berlin time, a Hetzner by-id volume.
 */
import type { CloudInitInput } from "../../components/host/cloudInit";

export const hostInput = {
    timezone: "Europe/Berlin",
    volumeDevice: "/dev/disk/by-id/scsi-0HC_Volume_1234567",
    hostKey: {
        privateKeyOpenssh: "-----BEGIN OPENSSH PRIVATE KEY-----\nFAKEFORTESTS\n-----END OPENSSH PRIVATE KEY-----\n",
        publicKeyOpenssh: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests\n",
    },
    rebootTime: "04:30",
    logRetentionDays: 7,
} satisfies CloudInitInput;
