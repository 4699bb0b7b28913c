-- The one comment a pull request gets listing its preview URLs, edited in place on every push. A row is the
-- comment's desired text (revision) and what GitHub shows (delivered_revision, comment_id): the comment sender
-- delivers rows whose revision is ahead, with retries and a lease, so a restart or another replica resumes them
-- and pushes in between coalesce into one edit.
CREATE TABLE preview_comments (
    owner              VARCHAR(100)  NOT NULL,
    repository         VARCHAR(200)  NOT NULL,
    pr_number          INTEGER       NOT NULL,
    installation_id    BIGINT,
    body               TEXT          NOT NULL,
    revision           BIGINT        NOT NULL,
    delivered_revision BIGINT        NOT NULL,
    comment_id         BIGINT,
    attempts           INTEGER       NOT NULL,
    next_attempt_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_owner        VARCHAR(80),
    lease_until        TIMESTAMP WITH TIME ZONE,
    last_error         VARCHAR(1000),
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (owner, repository, pr_number)
);
CREATE INDEX preview_comments_due ON preview_comments (next_attempt_at);
