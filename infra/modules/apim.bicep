// Optional API Management front door: imports the OpenAPI contract, validates the caller's JWT
// against the OpenID Connect configuration of the authority and rate-limits per user (keyed on the
// token's oid claim, else sub). The Function App validates the token itself as well; the gateway
// only sheds unauthenticated and abusive traffic before it costs a function execution.
// Requests are also validated against the imported contract (its parameters, and JSON bodies up to
// the gateway's 100 KB limit of validate-content; a larger one, a preparation of up to 1 MB, goes on
// to the service, which checks it the same way). Answers are checked too, in detect mode: a mismatch
// is logged, never turned into an error for the client.

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('API Management service name.')
@minLength(1)
@maxLength(50)
param name string

@description('Consumption (pay per call; has no rate-limit-by-key, so no per-user limit) or BasicV2.')
@allowed([
  'Consumption'
  'BasicV2'
])
param skuName string

@description('Publisher e-mail shown by API Management.')
param publisherEmail string

@description('Publisher name shown by API Management.')
param publisherName string

@description('The OpenAPI 3 document (JSON text) to import.')
param openApiContent string

@description('Gateway path prefix of the API, e.g. api, so gateway URLs match the Function App routes.')
param apiPath string

@description('Backend base URL the API forwards to, e.g. https://<function host>/api.')
param backendUrl string

@description('OpenID Connect discovery document, e.g. https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration.')
param openIdConfigurationUrl string

@description('Audience (aud) the access token must carry.')
param audience string

@description('Calls allowed per user per renewal period.')
@minValue(1)
param rateLimitCalls int

@description('Rate-limit renewal period in seconds.')
@minValue(1)
@maxValue(300)
param rateLimitRenewalPeriodSeconds int

var isConsumption = skuName == 'Consumption'

@description('The text escaped for an XML attribute or element.')
func xmlEscape(text string) string => replace(replace(replace(text, '&', '&amp;'), '<', '&lt;'), '"', '&quot;')

// rate-limit-by-key is not available on the Consumption tier (classic and v2 tiers only).
var rateLimitElement = isConsumption
  ? '<!-- rate-limit-by-key is not supported on the Consumption tier; use BasicV2 for a per-user limit. -->'
  : '<rate-limit-by-key calls="${rateLimitCalls}" renewal-period="${rateLimitRenewalPeriodSeconds}" counter-key=\'@(((Jwt)context.Variables["jwt"]).Claims.GetValueOrDefault("oid", ((Jwt)context.Variables["jwt"]).Subject))\' />'

var policyTemplate = '''
<policies>
  <inbound>
    <base />
    <validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized. Access token is missing or invalid." output-token-variable-name="jwt">
      <openid-config url="__OPENID_CONFIGURATION_URL__" />
      <audiences>
        <audience>__AUDIENCE__</audience>
      </audiences>
    </validate-jwt>
    __RATE_LIMIT__
    <validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="ignore" errors-variable-name="requestParameterErrors" />
    <validate-content unspecified-content-type-action="prevent" max-size="102400" size-exceeded-action="ignore" errors-variable-name="requestBodyErrors">
      <content type="application/json" validate-as="json" action="prevent" allow-additional-properties="true" />
    </validate-content>
  </inbound>
  <backend>
    <base />
  </backend>
  <outbound>
    <base />
    <validate-status-code unspecified-status-code-action="detect" errors-variable-name="responseStatusErrors" />
    <validate-headers specified-header-action="detect" unspecified-header-action="ignore" errors-variable-name="responseHeaderErrors" />
    <validate-content unspecified-content-type-action="detect" max-size="102400" size-exceeded-action="ignore" errors-variable-name="responseBodyErrors">
      <content type="application/json" validate-as="json" action="detect" />
      <content type="application/problem+json" validate-as="json" action="detect" />
    </validate-content>
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>
'''

var policyXml = replace(
  replace(replace(policyTemplate, '__OPENID_CONFIGURATION_URL__', xmlEscape(openIdConfigurationUrl)), '__AUDIENCE__', xmlEscape(audience)),
  '__RATE_LIMIT__',
  rateLimitElement
)

resource service 'Microsoft.ApiManagement/service@2024-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    capacity: isConsumption ? 0 : 1
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: publisherName
  }
}

resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = {
  parent: service
  name: 'interviews'
  properties: {
    displayName: 'Interviews'
    apiType: 'http'
    path: apiPath
    protocols: [
      'https'
    ]
    serviceUrl: backendUrl
    subscriptionRequired: false
    format: 'openapi+json'
    value: openApiContent
  }
}

resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: policyXml
  }
}

output name string = service.name
output gatewayUrl string = service.properties.gatewayUrl
