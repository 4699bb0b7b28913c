package dev.driftless.reconciler.audit;

/** The actions the audit trail records (the {@code action} column). */
public final class AuditAction {
    private AuditAction() { }

    public static final String PUSH = "push";
    public static final String DEPLOY = "deploy";
    public static final String ROLLBACK = "rollback";
    public static final String SUSPEND = "suspend";
    public static final String RESUME = "resume";
    public static final String PRUNE = "prune";
    public static final String TOKEN_CREATED = "token.created";
    public static final String SECRET_CREATED = "secret.created";
    public static final String SECRET_UPDATED = "secret.updated";
    public static final String SECRET_DELETED = "secret.deleted";
    public static final String SECRET_KEY_ROTATED = "secret.key_rotated";
    public static final String LOGIN = "login";
    public static final String INSTALLATION = "installation";
    public static final String NOTIFICATIONS_CHANGED = "notifications.changed";
    public static final String PREVIEWS_CHANGED = "previews.changed";
}
