<?php
// mautic-gdpr-kit: the double-opt-in flow of the kit's endpoint: sign-up and confirmation.
// Every step is a synchronous REST call to Mautic or a write to the ledger; nothing waits for
// Mautic's queues (the confirmation mail itself is queued by Mautic and sent by its worker).
declare(strict_types=1);

namespace KitDoi;

final class Flow
{
    /** @param array<string,mixed> $c the endpoint's configuration (doi-config.json) */
    public function __construct(private readonly array $c, private readonly Ledger $ledger, private readonly MauticApi $api)
    {
    }

    public function language(?string $lang): string
    {
        return in_array($lang, $this->c['languages'], true) ? $lang : $this->c['languages'][0];
    }

    /** The confirmation link of a sign-up (its token is the sign-up id and the MAC). */
    public function confirmUrl(string $signupId, string $addressKey): string
    {
        return 'https://' . $this->c['host'] . '/kit/doi/confirm?t=' . $signupId . '.' . confirm_mac($this->c['secret'], $signupId, $addressKey);
    }

    /**
     * A sign-up (POST /kit/doi/signup). Returns the outcome; the visitor sees the same page for
     * every outcome (no one learns whether an address is known).
     *
     * @param array<string,mixed> $in
     */
    public function signup(array $in): string
    {
        $lang = $this->language(is_string($in['lang'] ?? null) ? $in['lang'] : null);
        $email = normalise_address(is_string($in['email'] ?? null) ? $in['email'] : '');
        if ($email === null) {
            throw new HttpError(400, 'invalidEmail');
        }
        if (($in['consent'] ?? null) !== '1') {
            throw new HttpError(400, 'consentRequired');
        }
        $texts = $this->c['texts'][$lang];
        $version = (string) $this->c['version'];
        $consentSha = $this->ledger->archive('consent', $lang, $version, $texts['consent']);
        // A website that shows its own copy of the text names it by hash; it must be a text the
        // kit archived (the current one or an earlier one), so the ledger never points at nothing.
        $named = $in['consent_text_sha256'] ?? null;
        if (is_string($named) && $named !== '' && $named !== $consentSha) {
            $q = $this->ledger->db->prepare("SELECT COUNT(*) FROM kit_consent_texts WHERE sha256 = ? AND kind = 'consent'");
            $q->execute([$named]);
            if ((int) $q->fetchColumn() === 0) {
                throw new HttpError(400, 'unknownText');
            }
            $consentSha = $named;
        }
        $noticeSha = $this->ledger->archive('notice', $lang, $version, $texts['notice']);
        $trackingSha = ($in['tracking'] ?? null) === '1' ? $this->ledger->archive('tracking', $lang, $version, $texts['tracking']) : null;
        $form = is_string($in['form'] ?? null) && preg_match('/^[A-Za-z0-9_.:-]{1,64}$/', $in['form']) ? $in['form'] : 'kit-hosted';
        $key = address_key($this->c['secret'], $email);
        $signupId = bin2hex(random_bytes(16));
        // The ledger row comes first: a contact the endpoint creates is always on record.
        $this->ledger->insert(['signup_id' => $signupId, 'address_key' => $key, 'form' => $form, 'language' => $lang, 'consent' => $consentSha, 'notice' => $noticeSha, 'tracking' => $trackingSha]);

        $tags = $this->c['tags'];
        $contact = $this->api->contactByEmail($email);
        if ($contact === null) {
            $created = $this->api->ok('POST', 'contacts/new', ['email' => $email, 'tags' => [$tags['pending']]]);
            $contactId = (int) ($created['contact']['id'] ?? 0);
            if ($contactId <= 0) {
                throw new \RuntimeException('Mautic API POST contacts/new returned no id');
            }
            $this->ledger->update($signupId, 'contact_id = ?, contact_created = 1', [$contactId]);
        } else {
            // An existing contact is left exactly as it is until its owner confirms.
            $contactId = (int) $contact['id'];
            $this->ledger->update($signupId, 'contact_id = ?', [$contactId]);
            if (in_array($tags['confirmed'], tags_of($contact), true)) {
                $this->ledger->update($signupId, "outcome = 'already-confirmed'");
                return 'already-confirmed';
            }
        }
        if ($this->ledger->recentlyMailed($key, (int) ($this->c['resend_minutes'] ?? 10))) {
            $this->ledger->update($signupId, "outcome = 'throttled'");
            return 'throttled';
        }
        $emailId = $this->api->emailId($this->c['email_names'][$lang]);
        $sent = $this->api->ok('POST', "emails/$emailId/contact/$contactId/send", ['tokens' => ['kit_doi_confirm_url' => $this->confirmUrl($signupId, $key)]]);
        if (($sent['success'] ?? false) !== true && ($sent['success'] ?? 0) !== 1) {
            $this->ledger->update($signupId, "outcome = 'mail-failed'");
            throw new HttpError(503, 'mailFailed');
        }
        $this->ledger->update($signupId, "outcome = 'mail-sent', mail_sent_at = UTC_TIMESTAMP(), last_activity_at = UTC_TIMESTAMP()");
        return 'mail-sent';
    }

    /** The ledger row a token belongs to, or an HttpError (403: not a valid token). */
    public function rowFor(?string $token): array
    {
        if (!is_string($token) || !preg_match('/^([0-9a-f]{32})\.([0-9a-f]{64})$/', $token, $m)) {
            throw new HttpError(403, 'invalidLink');
        }
        $row = $this->ledger->get($m[1]);
        if ($row === null || !hash_equals(confirm_mac($this->c['secret'], $m[1], $row['address_key']), $m[2])) {
            throw new HttpError(403, 'invalidLink');
        }
        return $row;
    }

    /** Whether a valid link may still confirm (GET shows the button only then; changes nothing). */
    public function check(?string $token): string
    {
        $row = $this->rowFor($token);
        if ($row['confirmed_at'] !== null) {
            return 'already-confirmed';
        }
        if ($this->ledger->isOlderThanDays($row['signup_id'], (int) $this->c['days'])) {
            throw new HttpError(410, 'expiredLink');
        }
        return 'confirmable';
    }

    /** The confirmation (POST /kit/doi/confirm with the token): the explicit act. */
    public function confirm(?string $token): string
    {
        if ($this->check($token) === 'already-confirmed') {
            return 'already-confirmed';
        }
        $row = $this->rowFor($token);
        $contact = $row['contact_id'] === null ? null : $this->api->contact((int) $row['contact_id']);
        if ($contact === null) {
            throw new HttpError(410, 'expiredLink');
        }
        // The token was made for the address the contact had at sign-up.
        $email = normalise_address((string) ($contact['fields']['all']['email'] ?? ''));
        if ($email === null || !hash_equals($row['address_key'], address_key($this->c['secret'], $email))) {
            throw new HttpError(409, 'addressChanged');
        }
        $q = $this->ledger->db->prepare('SELECT version FROM kit_consent_texts WHERE sha256 = ?');
        $q->execute([$row['consent_text_sha256']]);
        $version = (string) ($q->fetchColumn() ?: $this->c['version']);
        $tags = $this->c['tags'];
        $f = $this->c['fields'];
        $edit = [
            'tags' => [$tags['confirmed'], '-' . $tags['pending']],
            $f['consentDate'] => gmdate('Y-m-d H:i:s'),
            $f['consentTextVersion'] => $version,
            $f['consentLanguage'] => $row['language'],
        ];
        if ($row['tracking_text_sha256'] !== null) {
            $edit[$f['trackingConsent']] = 'tracking-' . $version;
        }
        // The token of the withdrawal link in every mail ({unsubscribe_text}: /kit/doi/profiling).
        $edit[$f['profilingToken']] = profiling_token($this->c['secret'], (int) $row['contact_id']);
        $this->api->ok('PATCH', "contacts/{$row['contact_id']}/edit", $edit);
        // A person who unsubscribed earlier and now confirms a new sign-up subscribes again.
        foreach ((array) ($contact['doNotContact'] ?? []) as $dnc) {
            if (($dnc['channel'] ?? '') === 'email') {
                $this->api->ok('POST', "contacts/{$row['contact_id']}/dnc/email/remove");
                break;
            }
        }
        $this->ledger->update($row['signup_id'], "confirmed_at = UTC_TIMESTAMP(), confirm_event = 'button-post', outcome = 'confirmed', last_activity_at = UTC_TIMESTAMP()");
        return 'confirmed';
    }
}
