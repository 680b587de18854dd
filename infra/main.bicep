// Interviews backend: Azure Functions (Flex Consumption, .NET 10 isolated) over Cosmos DB, with
// Key Vault, Application Insights, one user-assigned managed identity holding every data-plane
// role, and optionally Event Grid and API Management. See infra/README.md.
targetScope = 'resourceGroup'

import { containerSetDefinition } from 'modules/cosmos.bicep'

// ---------------------------------------------------------------------------------------------
// Naming and placement
// ---------------------------------------------------------------------------------------------

@description('Short lowercase name of the workload, used in every resource name.')
@minLength(3)
@maxLength(10)
param baseName string = 'interviews'

@description('Short lowercase environment name (dev, test, prod...), used in every resource name.')
@minLength(2)
@maxLength(8)
param environmentName string = 'dev'

@description('Azure region of every resource. Flex Consumption is available in a subset of regions.')
param location string = resourceGroup().location

@description('Extra tags for every resource.')
param tags object = {}

// ---------------------------------------------------------------------------------------------
// Capacity
// ---------------------------------------------------------------------------------------------

@description('Cosmos DB capacity: Serverless (default) or ProvisionedAutoscale (database-level autoscale shared by the containers).')
@allowed([
  'Serverless'
  'ProvisionedAutoscale'
])
param cosmosCapacityMode string = 'Serverless'

@description('Autoscale maximum RU/s of the database when cosmosCapacityMode is ProvisionedAutoscale.')
@minValue(1000)
@maxValue(1000000)
param cosmosAutoscaleMaxThroughput int = 1000

@description('Flex Consumption: most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@description('Flex Consumption: memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Days a deleted Key Vault (or secret) can be recovered. Purge protection is always on.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

// ---------------------------------------------------------------------------------------------
// Application configuration
// ---------------------------------------------------------------------------------------------

@description('OpenID Connect authority that issues the access tokens, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0 (Auth__Authority).')
@minLength(8)
param authAuthority string

@description('Audience the access tokens must be issued for, e.g. api://<app-id> or the client id (Auth__Audience).')
@minLength(1)
param authAudience string

@description('SMTP server host for reminder e-mails (Email__Smtp__Host); empty leaves e-mail unconfigured.')
param smtpHost string = ''

@description('SMTP server port (Email__Smtp__Port).')
@minValue(1)
@maxValue(65535)
param smtpPort int = 587

@description('SMTP transport security (Email__Smtp__Security): None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable.')
@allowed([
  'None'
  'Auto'
  'SslOnConnect'
  'StartTls'
  'StartTlsWhenAvailable'
])
param smtpSecurity string = 'StartTls'

@description('SMTP user name (Email__Smtp__UserName); empty means no SMTP authentication.')
param smtpUserName string = ''

@description('SMTP password; stored in Key Vault when not empty (Email__Smtp__Password is a Key Vault reference).')
@secure()
param smtpPassword string = ''

@description('Sender address of reminder e-mails, e.g. "Interviews <no-reply@example.com>" (Email__From).')
param emailFrom string = ''

@description('Google OAuth client id for calendar sync (Calendar__Google__ClientId); empty disables Google.')
param googleClientId string = ''

@description('Google OAuth client secret; stored in Key Vault when not empty.')
@secure()
param googleClientSecret string = ''

@description('Microsoft identity platform client id for Outlook calendar sync (Calendar__Outlook__ClientId); empty disables Outlook.')
param outlookClientId string = ''

@description('Microsoft identity platform client secret for Outlook; stored in Key Vault when not empty.')
@secure()
param outlookClientSecret string = ''

@description('Public origin (scheme and host, no path) the OAuth redirect URIs are built on (Calendar__OAuthRedirectBaseUrl). Empty: the API Management gateway when deployed, else the Function App\'s own host.')
param calendarOAuthRedirectBaseUrl string = ''

@description('Public https origin (no path) Google and Microsoft Graph send calendar push notifications to (Calendar__WebhookBaseUrl; the webhooks are /api/calendar/notifications/…). Empty: the Function App\'s own host.')
param calendarWebhookBaseUrl string = ''

@description('Calendar push notifications (Google watch channels, Graph subscriptions). Off: Calendar__WebhookBaseUrl is not set and the reconcile timer alone brings calendar changes in.')
param calendarPushNotifications bool = true

// ---------------------------------------------------------------------------------------------
// Optional parts
// ---------------------------------------------------------------------------------------------

@description('Deploy an Event Grid topic (CloudEvents, local auth off) for integration events and set EventGrid__TopicEndpoint to it.')
param deployEventGridTopic bool = false

@description('Endpoint of an Event Grid topic managed elsewhere (EventGrid__TopicEndpoint) when deployEventGridTopic is false. Its owner must grant the app identity EventGrid Data Sender.')
param existingEventGridTopicEndpoint string = ''

@description('Deploy API Management in front of the Function App.')
param deployApiManagement bool = false

@description('API Management tier. Consumption has no rate-limit-by-key, so only BasicV2 limits calls per user.')
@allowed([
  'Consumption'
  'BasicV2'
])
param apiManagementSku string = 'BasicV2'

@description('API Management publisher e-mail (required by the service).')
param apiManagementPublisherEmail string = 'admin@example.com'

@description('API Management publisher name.')
param apiManagementPublisherName string = 'Interviews'

@description('API Management: calls allowed per user (token oid, else sub) per renewal period.')
@minValue(1)
param apiRateLimitCalls int = 120

@description('API Management: rate-limit renewal period in seconds.')
@minValue(1)
@maxValue(300)
param apiRateLimitRenewalPeriodSeconds int = 60

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

var token = uniqueString(subscription().id, resourceGroup().id, baseName, environmentName)
var prefix = toLower('${baseName}-${environmentName}')
var allTags = union(tags, {
  workload: baseName
  environment: environmentName
})

var names = {
  identity: 'id-${prefix}'
  logAnalytics: 'log-${prefix}-${token}'
  appInsights: 'appi-${prefix}-${token}'
  storage: take(toLower('st${replace(prefix, '-', '')}${token}'), 24)
  cosmos: take('cosmos-${prefix}-${token}', 44)
  keyVault: take('kv-${take(replace(prefix, '-', ''), 8)}-${token}', 24)
  plan: 'plan-${prefix}-${token}'
  functionApp: 'func-${prefix}-${token}'
  eventGridTopic: 'evgt-${prefix}-${token}'
  apim: 'apim-${prefix}-${token}'
}

// The one definition of the database and its containers, shared with the application.
var cosmosContainerSet containerSetDefinition = loadJsonContent('cosmos/containers.json')

var keyVaultSecretNames = {
  smtpPassword: 'smtp-password'
  googleClientSecret: 'google-client-secret'
  outlookClientSecret: 'outlook-client-secret'
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: names.identity
  location: location
  tags: allTags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: allTags
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.appInsights
    retentionInDays: logRetentionInDays
    appPrincipalId: identity.properties.principalId
    appIdentityId: identity.id
  }
}

// The work queues: one per event handler (events-{handler}), the requested connection syncs, the
// reconcile timer's, the due reminders; each gets a poison queue.
var workQueues = [
  'events-calendar'
  'events-reminders'
  'events-insights'
  'events-integration-events'
  'calendar-connections'
  'calendar-reconcile'
  'reminders-due'
]

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    workQueueNames: flatten(map(workQueues, q => [q, '${q}-poison']))
    location: location
    tags: allTags
    name: names.storage
    skuName: 'Standard_LRS'
    deploymentContainerName: 'app-package'
    dataProtectionContainerName: 'dataprotection'
    appPrincipalId: identity.properties.principalId
    appIdentityId: identity.id
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    location: location
    tags: allTags
    accountName: names.cosmos
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    containerSet: cosmosContainerSet
    appPrincipalId: identity.properties.principalId
    appIdentityId: identity.id
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    tags: allTags
    name: names.keyVault
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    appPrincipalId: identity.properties.principalId
    appIdentityId: identity.id
    smtpPassword: smtpPassword
    googleClientSecret: googleClientSecret
    outlookClientSecret: outlookClientSecret
    secretNames: keyVaultSecretNames
    dataProtectionKeyName: 'dataprotection'
  }
}

module eventGrid 'modules/eventgrid.bicep' = if (deployEventGridTopic) {
  name: 'eventgrid'
  params: {
    location: location
    tags: allTags
    name: names.eventGridTopic
    appPrincipalId: identity.properties.principalId
    appIdentityId: identity.id
  }
}

// A Key Vault reference is written for a secret whenever its feature is configured (or the secret
// is given), so a redeployment without the secret still points at the one already in the vault.
var smtpPasswordSetting = !empty(smtpUserName) || !empty(smtpPassword)
  ? '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.secretUris.smtpPassword})'
  : ''
var googleClientSecretSetting = !empty(googleClientId) || !empty(googleClientSecret)
  ? '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.secretUris.googleClientSecret})'
  : ''
var outlookClientSecretSetting = !empty(outlookClientId) || !empty(outlookClientSecret)
  ? '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.secretUris.outlookClientSecret})'
  : ''

var apimGatewayOrigin = 'https://${names.apim}.azure-api.net'
var oauthRedirectBaseUrl = !empty(calendarOAuthRedirectBaseUrl)
  ? calendarOAuthRedirectBaseUrl
  : (deployApiManagement ? apimGatewayOrigin : '')

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    tags: allTags
    planName: names.plan
    name: names.functionApp
    identityId: identity.id
    identityClientId: identity.properties.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    appInsightsConnectionString: monitoring.outputs.connectionString
    oauthRedirectBaseUrl: oauthRedirectBaseUrl
    webhookBaseUrl: calendarWebhookBaseUrl
    pushNotifications: calendarPushNotifications
    // Settings with an empty value are left out, so the app sees "not configured".
    appSettings: {
      // The timer functions' schedules (six-field cron with seconds); the host needs them to index the app.
      EventPumpSchedule: '* * * * * *'
      ReminderSendSchedule: '0 * * * * *'
      CalendarReconcileSchedule: '0 */15 * * * *'
      CalendarPushRenewalSchedule: '0 5 * * * *'
      Cosmos__AccountEndpoint: cosmos.outputs.endpoint
      Cosmos__DatabaseName: cosmos.outputs.databaseName
      Cosmos__ManagedIdentityClientId: identity.properties.clientId
      Auth__Authority: authAuthority
      Auth__Audience: authAudience
      Email__Smtp__Host: smtpHost
      Email__Smtp__Port: empty(smtpHost) ? '' : string(smtpPort)
      Email__Smtp__Security: empty(smtpHost) ? '' : smtpSecurity
      Email__Smtp__UserName: smtpUserName
      Email__Smtp__Password: smtpPasswordSetting
      Email__From: emailFrom
      Calendar__Google__ClientId: googleClientId
      Calendar__Google__ClientSecret: googleClientSecretSetting
      Calendar__Outlook__ClientId: outlookClientId
      Calendar__Outlook__ClientSecret: outlookClientSecretSetting
      DataProtection__BlobUri: storage.outputs.dataProtectionBlobUri
      // The work queues of the queue triggers (connection WorkQueues), through the app identity.
      WorkQueues__queueServiceUri: storage.outputs.queueEndpoint
      WorkQueues__credential: 'managedidentity'
      WorkQueues__clientId: identity.properties.clientId
      DataProtection__KeyVaultKeyId: keyVault.outputs.dataProtectionKeyUri
      EventGrid__TopicEndpoint: deployEventGridTopic ? eventGrid!.outputs.endpoint : existingEventGridTopicEndpoint
    }
  }
}

module apiManagement 'modules/apim.bicep' = if (deployApiManagement) {
  name: 'apim'
  params: {
    location: location
    tags: allTags
    name: names.apim
    skuName: apiManagementSku
    publisherEmail: apiManagementPublisherEmail
    publisherName: apiManagementPublisherName
    // The API's own contract (OpenAPI 3.1; API Management imports 3.1 schemas since May 2024), as compact
    // JSON: loadTextContent reads at most 131,072 characters, loadJsonContent up to 1,048,576.
    openApiContent: string(loadJsonContent('../openapi/openapi.json'))
    apiPath: 'api'
    backendUrl: '${functionApp.outputs.url}/api'
    openIdConfigurationUrl: '${endsWith(authAuthority, '/') ? substring(authAuthority, 0, length(authAuthority) - 1) : authAuthority}/.well-known/openid-configuration'
    audience: authAudience
    rateLimitCalls: apiRateLimitCalls
    rateLimitRenewalPeriodSeconds: apiRateLimitRenewalPeriodSeconds
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------

output functionAppName string = functionApp.outputs.name
output functionAppUrl string = functionApp.outputs.url
output apiGatewayUrl string = deployApiManagement ? apiManagement!.outputs.gatewayUrl : ''
output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output storageAccountName string = storage.outputs.name
output cosmosAccountName string = cosmos.outputs.accountName
output cosmosEndpoint string = cosmos.outputs.endpoint
output cosmosContainers string[] = cosmos.outputs.containerNames
output keyVaultName string = keyVault.outputs.name
output applicationInsightsName string = monitoring.outputs.applicationInsightsName
output eventGridTopicEndpoint string = deployEventGridTopic ? eventGrid!.outputs.endpoint : existingEventGridTopicEndpoint
