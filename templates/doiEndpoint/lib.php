<?php
// mautic-gdpr-kit: the kit's double-opt-in endpoint (docs/guide/doi.md), shipped by the
// kit and served by the Mautic web container's Apache under /kit/doi. It talks to Mautic only
// through its REST API (synchronous: it never waits for Mautic's queues or worker) and keeps
// the consent-proof ledger in its own tables (schema.sql). Rendered by the kit: change the kit.
declare(strict_types=1);

namespace KitDoi;

final class HttpError extends \RuntimeException
{
    public function __construct(public readonly int $status, public readonly string $key)
    {
        parent::__construct($key, $status);
    }
}

/** Trimmed, lower-cased; null when it cannot be an e-mail address. */
function normalise_address(string $raw): ?string
{
    $a = strtolower(trim($raw));
    if ($a === '' || strlen($a) > 191 || preg_match('/[\x00-\x20"\'\\\\<>;,]/', $a) || !filter_var($a, FILTER_VALIDATE_EMAIL)) {
        return null;
    }
    return $a;
}

/** The ledger's pseudonymous key of an address: HMAC-SHA256 with the stack's secret. */
function address_key(string $secret, string $normalised): string
{
    return hash_hmac('sha256', 'address:' . $normalised, $secret);
}

/** The confirmation token: binds the sign-up id to the address (only the mailbox gets it). */
function confirm_mac(string $secret, string $signupId, string $addressKey): string
{
    return hash_hmac('sha256', 'confirm:' . $signupId . ':' . $addressKey, $secret);
}

/** Mautic's REST API over HTTP basic auth, on the container's own Apache. */
final class MauticApi
{
    /** @param array<string,mixed> $c */
    public function __construct(private readonly array $c)
    {
    }

    /** @return array{0:int,1:array<string,mixed>} status and decoded body */
    public function call(string $method, string $path, ?array $body = null): array
    {
        $headers = [
            'Authorization: Basic ' . base64_encode($this->c['api_user'] . ':' . $this->c['api_password']),
            'Accept: application/json',
            'Host: ' . $this->c['host'],
            // The container's loopback is a trusted proxy (parameters_local.php): links Mautic
            // builds while handling the call use https and the public name.
            'X-Forwarded-Proto: https',
            'X-Forwarded-Port: 443',
        ];
        $opts = ['method' => $method, 'ignore_errors' => true, 'timeout' => (float) ($this->c['api_timeout'] ?? 20), 'follow_location' => 0];
        if ($body !== null) {
            $headers[] = 'Content-Type: application/json';
            $opts['content'] = json_encode($body, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
        }
        $opts['header'] = implode("\r\n", $headers);
        $text = @file_get_contents(rtrim((string) $this->c['api_base'], '/') . '/api/' . $path, false, stream_context_create(['http' => $opts]));
        $status = 0;
        foreach ($http_response_header ?? [] as $h) {
            if (preg_match('#^HTTP/\S+\s+(\d{3})#', $h, $m)) {
                $status = (int) $m[1];
            }
        }
        if ($text === false || $status === 0) {
            throw new \RuntimeException("Mautic API $method $path: no answer");
        }
        $json = json_decode($text, true);
        return [$status, is_array($json) ? $json : []];
    }

    /** @return array<string,mixed> the body of a 2xx answer */
    public function ok(string $method, string $path, ?array $body = null): array
    {
        [$status, $json] = $this->call($method, $path, $body);
        if ($status < 200 || $status > 299) {
            throw new \RuntimeException("Mautic API $method " . explode('?', $path)[0] . ": HTTP $status");
        }
        return $json;
    }

    /**
     * The contact with exactly this (normalised) address, or null. Mautic's `email:` search is a
     * case-insensitive prefix LIKE in which `_` and `%` are wildcards (seen on 5.2.1: `email:a@b.c`
     * also returns a@b.com), so the results are paged through (by id) and compared exactly; a
     * pile of look-alike addresses cannot hide a known contact (more than the cap: an error,
     * never a duplicate). The API's `where` filter would be exact but cleans the value
     * (InputHelper), so an address with an apostrophe would never match.
     */
    public function contactByEmail(string $email): ?array
    {
        // Paged by what came back, up to `total` (Mautic may return fewer than `limit`).
        $start = 0;
        for ($page = 0; $page < 50; $page++) {
            $body = $this->ok('GET', 'contacts?limit=100&start=' . $start . '&orderBy=id&orderByDir=ASC&search=' . rawurlencode('email:' . $email));
            $list = (array) ($body['contacts'] ?? []);
            foreach ($list as $contact) {
                if (strtolower(trim((string) ($contact['fields']['all']['email'] ?? ''))) === $email) {
                    return $contact;
                }
            }
            $start += count($list);
            if (count($list) === 0 || $start >= (int) ($body['total'] ?? 0)) {
                return null;
            }
        }
        throw new \RuntimeException("more than $start contacts match the address as a prefix: not deciding whether it is known");
    }

    public function contact(int $id): ?array
    {
        [$status, $json] = $this->call('GET', "contacts/$id");
        if ($status === 404) {
            return null;
        }
        if ($status !== 200 || !isset($json['contact'])) {
            throw new \RuntimeException("Mautic API GET contacts/$id: HTTP $status");
        }
        return $json['contact'];
    }

    /** Id of the published e-mail with exactly this name. */
    public function emailId(string $name): int
    {
        // Quoted: Mautic's search reads an unquoted "DOI: ..." as a filter command "doi:" and
        // finds nothing (seen on 5.2.1); the quoted phrase matches the name.
        $list = $this->ok('GET', 'emails?limit=50&search=' . rawurlencode('"' . $name . '"'))['emails'] ?? [];
        foreach ((array) $list as $email) {
            if (($email['name'] ?? null) === $name) {
                // A mail without the link token would ask people to confirm with nothing to click.
                if (!str_contains((string) ($email['customHtml'] ?? ''), '{kit_doi_confirm_url}')) {
                    throw new \RuntimeException("the Mautic e-mail '$name' lacks the token {kit_doi_confirm_url}: put it back as the confirmation link");
                }
                return (int) $email['id'];
            }
        }
        throw new \RuntimeException("no Mautic e-mail named '$name' (run pulumi up: DoiSetup creates it)");
    }
}

/** @return string[] the contact's tag names */
function tags_of(array $contact): array
{
    return array_map(static fn ($t) => is_array($t) ? (string) ($t['tag'] ?? '') : (string) $t, array_values((array) ($contact['tags'] ?? [])));
}

/** The ledger: kit_consent_ledger and kit_consent_texts (schema.sql). */
final class Ledger
{
    public function __construct(public readonly \PDO $db)
    {
        $db->setAttribute(\PDO::ATTR_ERRMODE, \PDO::ERRMODE_EXCEPTION);
        $db->exec("SET time_zone = '+00:00'");
    }

    public function ensureSchema(string $schemaFile): void
    {
        foreach (array_filter(array_map('trim', explode(';', preg_replace('/^--.*$/m', '', (string) file_get_contents($schemaFile))))) as $stmt) {
            $this->db->exec($stmt);
        }
    }

    /** Archives a text once, by its SHA-256; returns the hash. */
    public function archive(string $kind, string $language, string $version, string $body): string
    {
        $sha = hash('sha256', $body);
        $this->db->prepare('INSERT IGNORE INTO kit_consent_texts (sha256, kind, language, version, body, first_used_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP())')
            ->execute([$sha, $kind, $language, $version, $body]);
        return $sha;
    }

    /** @param array<string,mixed> $row */
    public function insert(array $row): void
    {
        $this->db->prepare('INSERT INTO kit_consent_ledger (signup_id, address_key, form, language, consent_text_sha256, notice_sha256, tracking_text_sha256, signed_up_at, last_activity_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())')
            ->execute([$row['signup_id'], $row['address_key'], $row['form'], $row['language'], $row['consent'], $row['notice'], $row['tracking']]);
    }

    public function update(string $signupId, string $set, array $params = []): void
    {
        $this->db->prepare("UPDATE kit_consent_ledger SET $set WHERE signup_id = ?")->execute([...$params, $signupId]);
    }

    public function get(string $signupId): ?array
    {
        $q = $this->db->prepare('SELECT * FROM kit_consent_ledger WHERE signup_id = ?');
        $q->execute([$signupId]);
        $r = $q->fetch(\PDO::FETCH_ASSOC);
        return $r === false ? null : $r;
    }

    public function isOlderThanDays(string $signupId, int $days): bool
    {
        $q = $this->db->prepare('SELECT signed_up_at < UTC_TIMESTAMP() - INTERVAL ? DAY FROM kit_consent_ledger WHERE signup_id = ?');
        $q->execute([$days, $signupId]);
        return (bool) $q->fetchColumn();
    }

    /** A confirmation mail went to this address within the last $minutes minutes (no mail bombing). */
    public function recentlyMailed(string $addressKey, int $minutes): bool
    {
        $q = $this->db->prepare('SELECT COUNT(*) FROM kit_consent_ledger WHERE address_key = ? AND mail_sent_at > UTC_TIMESTAMP() - INTERVAL ? MINUTE');
        $q->execute([$addressKey, $minutes]);
        return (int) $q->fetchColumn() > 0;
    }
}

/** Mautic's database connection, from Mautic's own config (config/local.php). */
function mautic_pdo(string $localPhp): \PDO
{
    $parameters = [];
    (static function () use ($localPhp, &$parameters) {
        include $localPhp;
    })();
    foreach (['db_host', 'db_name', 'db_user'] as $k) {
        if (empty($parameters[$k])) {
            throw new \RuntimeException("$localPhp has no $k: is Mautic installed?");
        }
    }
    $dsn = sprintf('mysql:host=%s;port=%d;dbname=%s;charset=utf8mb4', $parameters['db_host'], (int) ($parameters['db_port'] ?? 3306), $parameters['db_name']);
    return new \PDO($dsn, (string) $parameters['db_user'], (string) ($parameters['db_password'] ?? ''), [\PDO::ATTR_TIMEOUT => 10]);
}
