"""Model providers: one module per wire format, speaking HTTP through the client the policy
layer builds (providers never construct one), plus the model registry."""
