/**
 * Names of the data tier's Secrets Manager secrets. Names, not ARNs, are what ExternalSecrets read
 * (`remoteRef.key` takes either, https://external-secrets.io/latest/provider/aws-secrets-manager/): a name is known
 * before the secret exists, in a preview too, where an ARN (with its random suffix) is not.
 */

/** The master credentials: JSON {username, password, host, port, dbname, engine}. */
export const postgresSecretName = (identifier: string) => `${identifier}/postgres/master`;

/** The cache's AUTH token: the plain token. */
export const cacheSecretName = (identifier: string) => `${identifier}/cache/auth-token`;
