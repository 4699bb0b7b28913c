package dev.driftless.reconciler.reconcile;

import dev.driftless.builder.RepoSource;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

import java.util.Collection;
import java.util.Optional;

/**
 * Resolves where a branch points now (level-based: a webhook is only a hint, the reconcile builds
 * the branch's current head). Blocking: JGit talks to the remote.
 */
public class RepositoryHeads {

    /** The commit {@code refs/heads/<branch>} points at, or empty when the branch does not exist. */
    public Optional<String> head(RepoSource source, String branch) throws GitAPIException {
        var command = Git.lsRemoteRepository().setRemote(source.url()).setHeads(true).setTimeout(30);
        source.token().ifPresent(token ->
                command.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", token)));
        Collection<Ref> refs = command.call();
        String wanted = "refs/heads/" + branch;
        return refs.stream().filter(ref -> ref.getName().equals(wanted))
                .map(ref -> ref.getObjectId().getName()).findFirst();
    }
}
