<?php
// mautic-kit: settings pinned for privacy and for running behind the edge.
// Mautic reads this file AFTER config/local.php (which the admin UI writes) and never writes it,
// so a value set here cannot be undone by a click in the UI. Change it through the stack config
// and `pulumi up`. Generated for {{domain}}; see compliance.md for which checklist item each
// setting serves.
$parameters = {{parameters}};
