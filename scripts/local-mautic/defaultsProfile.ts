/**
 * docker-mautic's own defaults for the worker and cron roles, for `render.ts --profile defaults`
 * (the baseline `npm run bench` compares the kit against). Written from the facts recorded in
 * docs/guide/bench.md ("docker-mautic's defaults"), read in mautic/docker-mautic at commit d9849f6:
 *   - common/templates/supervisord.conf: one program per transport (email, hit, failed), each
 *     `php /var/www/html/bin/console messenger:consume <transport>` with no --memory-limit and no
 *     --time-limit, numprocs from DOCKER_MAUTIC_WORKERS_CONSUME_* (Dockerfile ENV: 2 each);
 *   - common/templates/mautic_cron: three active jobs (segments:update at 0,15,30,45;
 *     campaigns:update at 5,20,35,50; campaigns:trigger at 10,25,40,55), output `2>&1 | tee
 *     /tmp/stdout`, no flock, no --no-interaction; everything else commented out;
 *   - Dockerfile ENV: PHP_INI_VALUE_MEMORY_LIMIT=512M (the kit's role env sets 512M too);
 *   - mautic/docker-mautic:examples/basic/docker-compose.yml (and the other examples): no memory limit on any service.
 */

/** The image's worker supervisord.conf, as the image renders it (numprocs from its ENV). */
export function dockerMauticSupervisord(): string {
    const head = [
        "; local-mautic --profile defaults: docker-mautic's worker supervisord.conf (common/templates/supervisord.conf):",
        "; no --memory-limit, no --time-limit, DOCKER_MAUTIC_WORKERS_CONSUME_* (2) consumers per transport.",
        "[supervisord]",
        "nodaemon=true",
        "logfile=/dev/null",
        "logfile_maxbytes=0",
        "user=root",
    ];
    const program = (transport: string) => [
        "",
        `[program:messenger-consume-${transport}]`,
        `command=php /var/www/html/bin/console messenger:consume ${transport}`,
        "user=www-data",
        `numprocs=%(ENV_DOCKER_MAUTIC_WORKERS_CONSUME_${transport.toUpperCase()})s`,
        "startsecs=0",
        "autostart=true",
        "autorestart=true",
        "startretries=10",
        "process_name=%(program_name)s_%(process_num)02d",
        "stdout_logfile=/dev/fd/1",
        "stdout_logfile_maxbytes=0",
        "redirect_stderr=true",
    ];
    return `${[...head, ...["email", "hit", "failed"].flatMap(program)].join("\n")}\n`;
}

/** The image's default crontab: its three active jobs. */
export function dockerMauticCrontab(): string {
    const job = (schedule: string, command: string) => `${schedule} php /var/www/html/bin/console ${command} 2>&1 | tee /tmp/stdout`;
    return [
        "# local-mautic --profile defaults: docker-mautic's default crontab (common/templates/mautic_cron), active lines only",
        "SHELL=/bin/bash",
        "PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin",
        "BASH_ENV=/tmp/cron.env",
        "",
        job("0,15,30,45 * * * *", "mautic:segments:update"),
        job("5,20,35,50 * * * *", "mautic:campaigns:update"),
        job("10,25,40,55 * * * *", "mautic:campaigns:trigger"),
        "",
    ].join("\n");
}
