"""crisisbot core: incidents, roles, drafts and timeline, free of any chat SDK, web framework, ORM or scheduler."""
