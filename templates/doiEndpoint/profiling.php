<?php
// mautic-gdpr-kit: the one-click withdrawal of the profiling consent (Art. 7(3) GDPR), linked
// from every mail (Mautic's {unsubscribe_text}, pinned by the kit). GET shows the button and
// changes nothing (mail scanners follow links); the POST clears the consent field, resets the
// points and deletes the derived data listed in the configuration (`profiling`, rendered from
// dsr/profiling.ts: the same list `npm run dsr -- withdraw-profiling` uses). The subscription,
// do-not-contact entries, tags, segments and the consent-proof ledger are not touched.
declare(strict_types=1);

namespace KitDoi;

/**
 * The link token of a contact: its id and an HMAC-SHA256 of it with the stack's secret, cut to
 * 128 bits (32 hex digits): Mautic's text fields hold at most 64 characters (5.2.1).
 */
function profiling_token(string $secret, int $contactId): string
{
    return $contactId . '.' . substr(hash_hmac('sha256', 'profiling:' . $contactId, $secret), 0, 32);
}

/** The contact id a token names, or an HttpError 403 when the token is not one the endpoint made. */
function profiling_contact(string $secret, ?string $token): int
{
    if ($token === null || !preg_match('/^([1-9][0-9]{0,18})\.([0-9a-f]{32})$/', $token, $m)) {
        throw new HttpError(403, 'invalidProfilingLink');
    }
    if (!hash_equals(profiling_token($secret, (int) $m[1]), $token)) {
        throw new HttpError(403, 'invalidProfilingLink');
    }
    return (int) $m[1];
}

/**
 * The withdrawal, in one transaction on Mautic's database: returns rows deleted or reset per
 * table; a contact that no longer exists gets a 410 (nothing to withdraw).
 *
 * @param array{tables: list<array{0:string,1:string}>, reset: list<array{0:string,1:string}>} $p
 * @return array<string,int>
 */
function withdraw_profiling(\PDO $db, array $p, int $contactId): array
{
    $exists = $db->prepare('SELECT COUNT(*) FROM leads WHERE id = ?');
    $exists->execute([$contactId]);
    if ((int) $exists->fetchColumn() === 0) {
        throw new HttpError(410, 'invalidProfilingLink');
    }
    $cols = [];
    foreach ($db->query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = DATABASE()") as $r) {
        $cols[strtolower((string) $r[0]) . '.' . strtolower((string) $r[1])] = true;
    }
    $ident = static function (string $s): string {
        if (!preg_match('/^[a-z0-9_]{1,64}$/', $s)) {
            throw new \RuntimeException("unexpected identifier $s in the profiling configuration");
        }
        return "`$s`";
    };
    $done = [];
    $db->beginTransaction();
    try {
        foreach ($p['tables'] as [$table, $column]) {
            if (isset($cols["$table.$column"])) {
                $q = $db->prepare('DELETE FROM ' . $ident($table) . ' WHERE ' . $ident($column) . ' = ?');
                $q->execute([$contactId]);
                $done[$table] = $q->rowCount();
            }
        }
        $set = [];
        $changed = [];
        foreach ($p['reset'] as [$column, $value]) {
            if (isset($cols["leads.$column"])) {
                $v = $value === 'NULL' ? 'NULL' : (string) (int) $value;
                $set[] = $ident($column) . " = $v";
                $changed[] = $v === 'NULL' ? $ident($column) . ' IS NOT NULL' : $ident($column) . " <> $v";
            }
        }
        if ($set !== []) {
            $q = $db->prepare('UPDATE leads SET ' . implode(', ', $set) . ' WHERE id = ? AND (' . implode(' OR ', $changed) . ')');
            $q->execute([$contactId]);
            $done['leads'] = $q->rowCount();
        }
        $db->commit();
    } catch (\Throwable $e) {
        $db->rollBack();
        throw $e;
    }
    return $done;
}
