<?php
// mautic-gdpr-kit: front controller of the kit's double-opt-in endpoint. Apache maps every
// /kit/doi/* request of Mautic's host here (apache-vhost.conf); the edge forwards them.
//   GET  /kit/doi/form?lang=de       the kit's hosted sign-up form
//   POST /kit/doi/signup             a sign-up (this form's or the website's own form)
//   GET  /kit/doi/confirm?t=TOKEN    the confirmation page with its button; confirms nothing
//   POST /kit/doi/confirm            t=TOKEN: confirms; a wrong token gets 403 and changes nothing
//   GET  /kit/doi/profiling?t=TOKEN  the withdrawal page of the profiling consent; changes nothing
//   POST /kit/doi/profiling          t=TOKEN: withdraws it (profiling.php); a wrong token gets 403
// CLI: `php doi.php schema` creates the ledger tables; `php doi.php address-key` prints the
// ledger key of the address on stdin (for `npm run dsr -- export`).
declare(strict_types=1);

namespace KitDoi;

require __DIR__ . '/lib.php';
require __DIR__ . '/flow.php';
require __DIR__ . '/pages.php';
require __DIR__ . '/profiling.php';

function config(): array
{
    $file = getenv('KIT_DOI_CONFIG') ?: '/etc/mautic-kit/doi-config.json';
    $c = json_decode((string) @file_get_contents($file), true);
    if (!is_array($c) || !is_string($c['secret'] ?? null) || strlen($c['secret']) < 32) {
        throw new \RuntimeException("cannot read the endpoint configuration $file");
    }
    return $c;
}

function ledger(array $c): Ledger
{
    $pdo = isset($c['db_dsn']) ? new \PDO($c['db_dsn'], $c['db_user'] ?? null, $c['db_password'] ?? null) : mautic_pdo($c['mautic_local_php'] ?? '/var/www/html/config/local.php');
    $ledger = new Ledger($pdo);
    $ledger->ensureSchema(__DIR__ . '/schema.sql');
    return $ledger;
}

if (PHP_SAPI === 'cli') {
    $c = config();
    switch ($argv[1] ?? '') {
        case 'schema':
            ledger($c);
            echo "ledger tables present\n";
            exit(0);
        case 'address-key':
            $a = normalise_address((string) stream_get_contents(STDIN));
            if ($a === null) {
                fwrite(STDERR, "not an e-mail address\n");
                exit(2);
            }
            echo address_key($c['secret'], $a), "\n";
            exit(0);
        default:
            fwrite(STDERR, "usage: php doi.php schema|address-key\n");
            exit(2);
    }
}

$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
$path = rtrim((string) parse_url((string) ($_SERVER['REQUEST_URI'] ?? '/'), PHP_URL_PATH), '/');
$path = (string) preg_replace('#^/index\.php#', '', $path);
header('Cache-Control: no-store');
header('X-Robots-Tag: noindex, nofollow');
header('Referrer-Policy: no-referrer');
$c = null;
$lang = 'en';
try {
    $c = config();
    $lang = in_array($_REQUEST['lang'] ?? null, $c['languages'], true) ? $_REQUEST['lang'] : $c['languages'][0];
    $allowed = ['/kit/doi/form' => ['GET'], '/kit/doi/signup' => ['POST'], '/kit/doi/confirm' => ['GET', 'POST'], '/kit/doi/profiling' => ['GET', 'POST']];
    if (!isset($allowed[$path])) {
        throw new HttpError(404, 'notFound');
    }
    if (!in_array($method, $allowed[$path], true)) {
        header('Allow: ' . implode(', ', $allowed[$path]));
        throw new HttpError(405, 'notFound');
    }
    if ($path === '/kit/doi/form') {
        page($c, $lang, 200, 'form');
        exit;
    }
    if ($path === '/kit/doi/profiling') {
        $token = $method === 'POST' ? ($_POST['t'] ?? null) : ($_GET['t'] ?? null);
        $token = is_string($token) ? $token : null;
        $contactId = profiling_contact($c['secret'], $token);
        if ($method === 'GET') {
            page($c, $lang, 200, 'profiling', ['token' => $token]);
            exit;
        }
        $done = withdraw_profiling(ledger($c)->db, $c['profiling'], $contactId);
        error_log('kit-doi: profiling consent withdrawn for contact ' . $contactId . ': ' . json_encode($done));
        page($c, $lang, 200, 'profilingDone');
        exit;
    }
    $ledger = ledger($c);
    $flow = new Flow($c, $ledger, new MauticApi($c));
    if ($path === '/kit/doi/signup') {
        $lang = $flow->language($_POST['lang'] ?? null);
        $flow->signup($_POST);
        $return = $_POST['return'] ?? null;
        // Back to the website's own thank-you page, if it is on the website.
        if (is_string($return) && str_starts_with($return, $c['website'] . '/') && !preg_match('/[\x00-\x20]/', $return)) {
            header('Location: ' . $return, true, 303);
            exit;
        }
        page($c, $lang, 200, 'pending');
        exit;
    }
    $token = $method === 'POST' ? ($_POST['t'] ?? null) : ($_GET['t'] ?? null);
    $row = $flow->rowFor(is_string($token) ? $token : null);
    $lang = $row['language'];
    if ($method === 'GET') {
        $state = $flow->check($token);
        page($c, $lang, 200, $state === 'confirmable' ? 'confirm' : 'confirmed', ['token' => $token]);
        exit;
    }
    $flow->confirm($token);
    page($c, $lang, 200, 'confirmed');
} catch (HttpError $e) {
    if ($c === null) {
        http_response_code($e->status);
        exit;
    }
    page($c, $lang, $e->status, 'error', ['message' => $e->key]);
} catch (\Throwable $e) {
    error_log('kit-doi: ' . get_class($e) . ': ' . $e->getMessage());
    http_response_code(503);
    if ($c !== null) {
        page($c, $lang, 503, 'error', ['message' => 'unavailable']);
    }
}
