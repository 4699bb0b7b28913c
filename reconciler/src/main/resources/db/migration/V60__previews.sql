-- Preview functions of pull requests: one row per deployed <function>--pr-<n>, so a closed PR's previews are
-- removed, the per-owner limit is counted, and the dashboard lists them beside production. Releases are untouched.
CREATE TABLE previews (
    owner             VARCHAR(100)  NOT NULL,
    preview_function  VARCHAR(63)   NOT NULL,
    repository        VARCHAR(200)  NOT NULL,
    pr_number         INTEGER       NOT NULL,
    function_name     VARCHAR(63)   NOT NULL,
    commit_sha        VARCHAR(64)   NOT NULL,
    image             VARCHAR(1000) NOT NULL,
    url               VARCHAR(1000) NOT NULL,
    spec_json         TEXT          NOT NULL,     -- as releases keep it, so a restart or another replica redeploys it
    with_secrets      BOOLEAN       NOT NULL,     -- false for forks
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (owner, preview_function)
);
CREATE INDEX previews_pr ON previews (owner, repository, pr_number);
