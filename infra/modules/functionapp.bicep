// Function App on the Flex Consumption plan (Linux, .NET 10 isolated worker). It runs as one
// user-assigned managed identity; host storage, the deployment package, Key Vault references and
// telemetry all authenticate with it. No keys or connection strings are in the app settings.

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Flex Consumption plan name.')
param planName string

@description('Function App name.')
param name string

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Name of the host storage account (AzureWebJobsStorage).')
param storageAccountName string

@description('URL of the blob container that holds the deployment package.')
param deploymentContainerUrl string

@description('Flex Consumption: most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Flex Consumption: memory of each instance.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('Public origin the app is reached at, for OAuth redirect URIs; empty means the Function App\'s own https://<default host name>.')
param oauthRedirectBaseUrl string

@description('Public origin for the calendar push webhooks (Calendar__WebhookBaseUrl); empty = this app\'s own https host.')
param webhookBaseUrl string = ''

@description('Set Calendar__WebhookBaseUrl (push notifications on); false leaves it unset (reconcile timer only).')
param pushNotifications bool = true

@description('The application\'s own settings (name -> value). Settings whose value is empty are left out.')
param appSettings object

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // @Microsoft.KeyVault(...) app settings resolve with this identity (the default would be a
    // system-assigned identity, which the app does not have).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Host settings: identity-based host storage and Entra ID telemetry ingestion. Flex Consumption
// takes the runtime and worker from functionAppConfig, so FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION must not be set here.
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  AZURE_CLIENT_ID: identityClientId
}

var allSettings = union(appSettings, hostSettings, {
  Calendar__OAuthRedirectBaseUrl: empty(oauthRedirectBaseUrl) ? 'https://${site.properties.defaultHostName}' : oauthRedirectBaseUrl
  // The providers post straight to the app (anonymous functions that check the channel's secret).
  Calendar__WebhookBaseUrl: !pushNotifications ? '' : (empty(webhookBaseUrl) ? 'https://${site.properties.defaultHostName}' : webhookBaseUrl)
})

resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: toObject(filter(items(allSettings), s => !empty(s.value)), s => s.key, s => s.value)
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output url string = 'https://${site.properties.defaultHostName}'
