<?php
// mautic-gdpr-kit: the HTML pages of the kit's double-opt-in endpoint. Texts come from the
// configuration (rendered by the kit from templates/doiBlueprint/<lang>/); no script, no cookie, no
// external resource.
declare(strict_types=1);

namespace KitDoi;

function h(string $s): string
{
    return htmlspecialchars($s, ENT_QUOTES | ENT_HTML5, 'UTF-8');
}

/** @param array<string,mixed> $vars */
function page(array $c, string $lang, int $status, string $kind, array $vars = []): void
{
    $t = $c['texts'][$lang];
    $s = $t['strings'];
    http_response_code($status);
    header('Content-Type: text/html; charset=utf-8');
    header("Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'self' " . $c['website']);
    $title = $s['pageTitle'];
    switch ($kind) {
        case 'form':
            $body = '<form method="post" action="/kit/doi/signup">'
                . '<input type="hidden" name="lang" value="' . h($lang) . '"><input type="hidden" name="form" value="kit-hosted">'
                . '<p><label for="kit-doi-email">' . h($s['emailLabel']) . '</label><br><input id="kit-doi-email" type="email" name="email" required autocomplete="email"></p>'
                . '<div>' . $t['notice'] . '</div>'
                . '<p><label><input type="checkbox" name="consent" value="1" required> ' . h($t['consent']) . '</label></p>'
                . '<p><label><input type="checkbox" name="tracking" value="1"> ' . h($t['tracking']) . '</label></p>'
                . '<p><button type="submit">' . h($s['submitLabel']) . '</button></p></form>';
            break;
        case 'pending':
            $body = '<p>' . h($t['pending']) . '</p>';
            break;
        case 'confirm':
            $body = $t['confirmIntro']
                . '<form method="post" action="/kit/doi/confirm"><input type="hidden" name="t" value="' . h((string) $vars['token']) . '">'
                . '<p><button type="submit">' . h($s['confirmButtonLabel']) . '</button></p></form>';
            break;
        case 'profiling':
            $title = $s['profilingTitle'];
            $body = '<p>' . h($s['profilingIntro']) . '</p>'
                . '<form method="post" action="/kit/doi/profiling"><input type="hidden" name="t" value="' . h((string) $vars['token']) . '">'
                . '<input type="hidden" name="lang" value="' . h($lang) . '">'
                . '<p><button type="submit">' . h($s['profilingButtonLabel']) . '</button></p></form>';
            break;
        case 'profilingDone':
            $title = $s['profilingTitle'];
            $body = '<p>' . h($s['profilingDone']) . '</p>';
            break;
        case 'confirmed':
            $body = '<p>' . h($t['confirmed']) . '</p>';
            break;
        default:
            $body = '<p>' . h($t['messages'][$vars['message']] ?? $t['messages']['unavailable']) . '</p>';
    }
    echo '<!DOCTYPE html><html lang="' . h($lang) . '"><head><meta charset="utf-8">'
        . '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">'
        . '<title>' . h($title) . '</title></head>'
        . '<body style="margin:0;padding:48px 24px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#222">'
        . '<main style="max-width:600px;margin:0 auto">' . $body
        . '<p><a href="' . h($c['website']) . '">' . h(parse_url($c['website'], PHP_URL_HOST) ?: $c['website']) . '</a> &middot; <a href="' . h($c['privacy_policy_url']) . '">' . h($s['privacyLinkLabel']) . '</a></p>'
        . '</main></body></html>';
}
