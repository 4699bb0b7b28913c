package dev.driftless.dashboard;

import java.util.Set;

/**
 * Who is logged in: the local admin (sees every owner) or an owner token (sees that owner, and the
 * organisations it is a member of when GitHub says so).
 */
public record Principal(String name, boolean admin, Set<String> owners) {
    public Principal {
        owners = Set.copyOf(owners);
    }

    public boolean maySee(String owner) {
        return admin || owners.contains(owner);
    }
}
