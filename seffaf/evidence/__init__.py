"""Evidence packages: clips, manifests, sums and signatures anyone can verify offline."""
