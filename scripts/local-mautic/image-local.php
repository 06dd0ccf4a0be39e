<?php
// local-mautic: the config/local.php the official image writes when none exists
// (docker-mautic common/startup/check_local_php_exists.sh, from common/templates/local.php):
// the database connection comes from the container's MAUTIC_DB_* environment, so the password
// is in no file. mautic:install adds db_* values it is not given from here and writes the rest.
$parameters = [
    'db_driver' => 'pdo_mysql',
    'db_host' => getenv('MAUTIC_DB_HOST'),
    'db_port' => getenv('MAUTIC_DB_PORT'),
    'db_name' => getenv('MAUTIC_DB_DATABASE'),
    'db_user' => getenv('MAUTIC_DB_USER'),
    'db_password' => getenv('MAUTIC_DB_PASSWORD'),
    'db_table_prefix' => null,
    'db_backup_tables' => 1,
    'db_backup_prefix' => 'bak_',
];
