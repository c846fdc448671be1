//! Loading AWS access the standard way: environment, shared profiles, SSO, `credential_process`; a region;
//! `AWS_ENDPOINT_URL[_<SERVICE>]` and a profile's `endpoint_url`; path-style S3 when the S3 endpoint is
//! custom. Nothing here stores or prints a secret.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;

pub use batch_app::ports::AccessOptions;

/// Loads the SDK configuration.
pub async fn load_config(options: &AccessOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(endpoint) = &options.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

/// True when credentials can be resolved (without printing them); the reason when not.
pub async fn credentials_available(config: &SdkConfig) -> Result<(), String> {
    let Some(provider) = config.credentials_provider() else {
        return Err("no credentials provider is configured".into());
    };
    provider.provide_credentials().await.map(|_| ()).map_err(|e| credentials_cause(&crate::failure::one_line(&e)))
}

/// Why no credentials resolved, in words: the chain reports only its last provider, the instance metadata
/// service (IMDS), when every earlier one found nothing, which on a laptop reads as a red herring.
fn credentials_cause(cause: &str) -> String {
    if cause.contains("IMDS") {
        "nothing in the environment variables, ~/.aws/config, ~/.aws/credentials or an SSO sign-in, and no instance role".into()
    } else {
        cause.to_string()
    }
}

/// An S3 client; path-style addressing when S3's endpoint is custom (emulators on loopback need it).
pub fn s3_client(config: &SdkConfig, custom_endpoint: bool) -> aws_sdk_s3::Client {
    let custom = custom_endpoint
        || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || config.endpoint_url().is_some();
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(config).force_path_style(custom).build())
}

/// A Bedrock control-plane client.
pub fn bedrock_client(config: &SdkConfig) -> aws_sdk_bedrock::Client {
    aws_sdk_bedrock::Client::new(config)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_chain_falling_through_to_imds_reads_as_nothing_found_and_other_causes_stay() {
        let imds = "an error occurred while loading credentials: failed to load IMDS session token: service error: request forbidden: IMDS is disabled";
        let cause = super::credentials_cause(imds);
        assert!(cause.starts_with("nothing in the environment variables") && !cause.contains("IMDS"), "{cause}");
        let sso = "the SSO session has expired or is invalid";
        assert_eq!(super::credentials_cause(sso), sso);
    }
}
