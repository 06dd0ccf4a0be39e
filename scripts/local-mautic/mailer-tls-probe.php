<?php
// Sends one message through Symfony's mailer exactly as Mautic builds it from `mailer_dsn`
// (framework.mailer.dsn -> Transport::fromDsn), with the vendor/ of a Mautic tree.
// usage: php -d openssl.cafile=CA mailer-tls-probe.php TREE DSN
// Prints "sent" or the transport's error. Evidence for components/config/mailerDsn.ts.
require $argv[1].'/vendor/autoload.php';

use Symfony\Component\Mailer\Mailer;
use Symfony\Component\Mailer\Transport;
use Symfony\Component\Mime\Email;

try {
    $transport = Transport::fromDsn($argv[2]);
    (new Mailer($transport))->send((new Email())->from('kit@example.org')->to('probe@example.net')->subject('probe')->text('probe'));
    echo "sent via ".get_class($transport)."\n";
} catch (\Throwable $e) {
    echo get_class($e).": ".$e->getMessage()."\n";
}
