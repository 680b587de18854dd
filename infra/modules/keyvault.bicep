// Key Vault (RBAC authorization, soft delete, purge protection) holding the OAuth client secrets and
// the SMTP password, plus the RSA key that wraps the ASP.NET Core Data Protection key ring.
// Secrets are written only when a value is given, so a later deployment without them keeps what
// is already in the vault (set there by an earlier deployment or by `az keyvault secret set`).

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Key Vault name (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Days a deleted vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Principal id of the app identity (Key Vault Secrets User + Key Vault Crypto User).')
param appPrincipalId string

@description('Resource id of the app identity; names the role assignments (known before deployment, unlike the principal id).')
param appIdentityId string

@description('SMTP password; written to the vault only when not empty.')
@secure()
param smtpPassword string

@description('Google OAuth client secret; written to the vault only when not empty.')
@secure()
param googleClientSecret string

@description('Microsoft (Outlook) OAuth client secret; written to the vault only when not empty.')
@secure()
param outlookClientSecret string

@description('Names of the secrets in the vault.')
param secretNames secretNameSet

@description('Name of the RSA key that protects the Data Protection key ring.')
param dataProtectionKeyName string

@export()
type secretNameSet = {
  smtpPassword: string
  googleClientSecret: string
  outlookClientSecret: string
}

var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultCryptoUserRoleId = '12338af0-0e69-4776-bea7-57ae8d297424'

resource vault 'Microsoft.KeyVault/vaults@2026-02-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource smtpPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2026-02-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: secretNames.smtpPassword
  properties: {
    value: smtpPassword
    contentType: 'text/plain'
  }
}

resource googleClientSecretSecret 'Microsoft.KeyVault/vaults/secrets@2026-02-01' = if (!empty(googleClientSecret)) {
  parent: vault
  name: secretNames.googleClientSecret
  properties: {
    value: googleClientSecret
    contentType: 'text/plain'
  }
}

resource outlookClientSecretSecret 'Microsoft.KeyVault/vaults/secrets@2026-02-01' = if (!empty(outlookClientSecret)) {
  parent: vault
  name: secretNames.outlookClientSecret
  properties: {
    value: outlookClientSecret
    contentType: 'text/plain'
  }
}

// Key-encryption key for ASP.NET Core Data Protection (the app wraps each key with it over the Key Vault REST API): the key ring
// lives in blob storage, each key in it wrapped with this key. The app uses the versionless URI, so
// a new key version (manual rotation) wraps new keys while old versions still unwrap old ones.
resource dataProtectionKey 'Microsoft.KeyVault/vaults/keys@2026-02-01' = {
  parent: vault
  name: dataProtectionKeyName
  properties: {
    kty: 'RSA'
    keySize: 3072
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
    attributes: {
      enabled: true
    }
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentityId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource cryptoUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentityId, keyVaultCryptoUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultCryptoUserRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
output vaultUri string = vault.properties.vaultUri

@description('Versionless URI of the Data Protection key (DataProtection__KeyVaultKeyId).')
output dataProtectionKeyUri string = dataProtectionKey.properties.keyUri

@description('Versionless secret URIs for @Microsoft.KeyVault(SecretUri=...) app settings. They are addresses, not values.')
output secretUris secretNameSet = {
  smtpPassword: '${vault.properties.vaultUri}secrets/${secretNames.smtpPassword}'
  googleClientSecret: '${vault.properties.vaultUri}secrets/${secretNames.googleClientSecret}'
  outlookClientSecret: '${vault.properties.vaultUri}secrets/${secretNames.outlookClientSecret}'
}
