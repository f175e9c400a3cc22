//! Images and what is launched from them: create an image, launch a clone, deregister an image.

use super::shared::{
    Act, Acted, Called, Ctx, Seen, TAG_TOKEN, must_instance, no_outputs, one, pending_or_act,
    resolve, run_tags,
};
use crate::journal::Outputs;
use crate::plan::Val;
use opsdeck_core::cloud::{CloudError, CloudResult, LaunchSpec};
use opsdeck_core::domain::*;

pub(super) async fn observe_create_image(
    ctx: &Ctx<'_>,
    called: Called,
    name: &str,
    output: &str,
) -> CloudResult<Seen> {
    Ok(
        match ctx
            .read
            .images()
            .await?
            .into_iter()
            .find(|i| i.name == name)
        {
            Some(img) if img.state == ImageState::Available => Seen::Done(one(output, img.id)),
            Some(img) if img.state == ImageState::Pending => Seen::Pending("image pending".into()),
            Some(img) => {
                return Err(CloudError::invalid_state(
                    "InvalidAMIID.Unavailable",
                    format!("{} is {}", img.id, img.state.as_str()),
                ));
            }
            None => pending_or_act(called, "waiting for the image to show"),
        },
    )
}

pub(super) async fn create_image(
    act: Act<'_>,
    instance: &str,
    name: &str,
    no_reboot: bool,
    output: &str,
) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let mut tags = run_tags(ctx, output);
    // Its name as a Name tag too: the consoles' lists show tags, not AMI names.
    tags.push(Tag::new("Name", name));
    let w = write
        .create_image(
            instance,
            name,
            "opsdeck runbook image",
            no_reboot,
            &tags,
            dry_run,
        )
        .await?;
    Ok((w.request_id, one(output, w.value)))
}

pub(super) async fn observe_launch_clone(
    ctx: &Ctx<'_>,
    called: Called,
    client_token: &str,
    output: &str,
) -> CloudResult<Seen> {
    let mine: Vec<Instance> = ctx
        .read
        .instances()
        .await?
        .into_iter()
        .filter(|i| i.tags.get(TAG_TOKEN) == Some(client_token) && i.is_live())
        .collect();
    Ok(if mine.is_empty() {
        pending_or_act(called, "waiting for the instance to show")
    } else if mine
        .iter()
        .all(|i| i.state == InstanceState::Running && i.status_checks.all_ok())
    {
        Seen::Done(one(
            output,
            mine.iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ))
    } else {
        Seen::Pending(
            mine.iter()
                .map(|i| format!("{} {}", i.id, i.state.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
        )
    })
}

pub(super) async fn launch_clone(
    act: Act<'_>,
    source: &str,
    image: &Val,
    subnet_id: &str,
    client_token: &str,
    output: &str,
) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let src = must_instance(ctx.read, source).await?;
    let mut spec =
        LaunchSpec::clone_of(&src, &resolve(image, ctx.outputs)?, subnet_id, client_token);
    spec.user_data = ctx.read.instance_user_data(source).await?;
    spec.tags.retain(|t| !t.key.starts_with("opsdeck:"));
    // Same tags, but a name of its own: two instances called `web-1` would confuse everyone.
    for t in spec.tags.iter_mut().filter(|t| t.key == "Name") {
        t.value = format!("{}-{output}", t.value);
    }
    spec.tags.extend(run_tags(ctx, output));
    spec.tags.push(Tag::new(TAG_TOKEN, client_token));
    let w = write.run_instances(&spec, dry_run).await?;
    Ok((w.request_id, one(output, w.value.join(","))))
}

pub(super) async fn observe_deregister_image(
    ctx: &Ctx<'_>,
    called: Called,
    image: &Val,
) -> CloudResult<Seen> {
    Ok(match ctx.read.image(&resolve(image, ctx.outputs)?).await? {
        None => Seen::Done(Outputs::new()),
        Some(i) if i.state == ImageState::Deregistered => Seen::Done(Outputs::new()),
        Some(_) => pending_or_act(called, "waiting for the deregistration to show"),
    })
}

pub(super) async fn deregister_image(act: Act<'_>, image: &Val) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    Ok(no_outputs(
        write
            .deregister_image(&resolve(image, ctx.outputs)?, dry_run)
            .await?,
    ))
}
