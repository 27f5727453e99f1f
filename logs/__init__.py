"""The log archive as pure data: the CloudTrail table and its partition projection, the saved
queries' SQL, the trail's bucket and key statements, the hardened buckets' policies and lifecycle."""
